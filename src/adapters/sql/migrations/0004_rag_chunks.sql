-- The RAG index (issue 7): chunks per repository and commit, BM25 postings, vectors.
-- See src/adapters/sql/chunk-index.ts and src/services/rag/README.md for how they are used.

-- One publish of a repository at a commit. Field-length sums feed BM25's average lengths.
CREATE TABLE rag_generations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repository_url text NOT NULL,
  commit_sha text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  chunk_count bigint NOT NULL DEFAULT 0,
  body_length bigint NOT NULL DEFAULT 0,
  path_length bigint NOT NULL DEFAULT 0,
  symbol_length bigint NOT NULL DEFAULT 0
);
CREATE INDEX rag_generations_repository_idx ON rag_generations (repository_url);

-- The current generation per repository: switching is one upsert of this row.
CREATE TABLE rag_repositories (
  repository_url text PRIMARY KEY,
  generation_id bigint NOT NULL REFERENCES rag_generations (id),
  commit_sha text NOT NULL,
  published_at timestamptz NOT NULL
);
CREATE INDEX rag_repositories_generation_idx ON rag_repositories (generation_id);

-- A file version, shared by every generation of its repository that contains it unchanged.
CREATE TABLE rag_files (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  repository_url text NOT NULL,
  path text NOT NULL,
  content_hash text NOT NULL,
  chunk_count integer NOT NULL,
  body_length bigint NOT NULL,
  path_length bigint NOT NULL,
  symbol_length bigint NOT NULL,
  UNIQUE (repository_url, path, content_hash)
);

CREATE TABLE rag_generation_files (
  generation_id bigint NOT NULL REFERENCES rag_generations (id) ON DELETE CASCADE,
  file_id bigint NOT NULL REFERENCES rag_files (id),
  PRIMARY KEY (generation_id, file_id)
);
CREATE INDEX rag_generation_files_file_idx ON rag_generation_files (file_id);

-- Vectors have no fixed dimension here; HNSW indexes are partial expression indexes per
-- (model, dimensions), created when a model is first used (chunk-index-vectors.ts).
CREATE TABLE rag_chunks (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  file_id bigint NOT NULL REFERENCES rag_files (id) ON DELETE CASCADE,
  ordinal integer NOT NULL,
  start_line integer NOT NULL,
  end_line integer NOT NULL,
  language text,
  symbol text,
  kind text NOT NULL,
  content text NOT NULL,
  content_hash text NOT NULL,
  tokens integer NOT NULL,
  embedding_model text,
  embedding_dims integer,
  embedding vector,
  UNIQUE (file_id, ordinal)
);

-- BM25 postings: one row per (term, chunk) with the term's frequency in each field and the
-- chunk's field lengths, so scoring reads only the query terms' postings (an index-only scan of
-- the covering primary key, clustered by term) and never the chunks.
CREATE TABLE rag_postings (
  term text NOT NULL,
  chunk_id bigint NOT NULL,
  file_id bigint NOT NULL,
  tf_body smallint NOT NULL,
  tf_path smallint NOT NULL,
  tf_symbol smallint NOT NULL,
  len_body smallint NOT NULL,
  len_path smallint NOT NULL,
  len_symbol smallint NOT NULL,
  PRIMARY KEY (term, chunk_id) INCLUDE (file_id, tf_body, tf_path, tf_symbol, len_body, len_path, len_symbol)
);
-- Garbage collection deletes a file version's postings by file.
CREATE INDEX rag_postings_file_idx ON rag_postings (file_id);

-- The embedding cache: a content hash embedded once per model, across commits and repositories.
CREATE TABLE rag_embeddings (
  model text NOT NULL,
  content_hash text NOT NULL,
  dimensions integer NOT NULL,
  embedding vector NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (model, content_hash)
);

-- The HNSW indexes made so far, one per (model, dimensions).
CREATE TABLE rag_vector_indexes (
  model text NOT NULL,
  dimensions integer NOT NULL,
  index_name text NOT NULL UNIQUE,
  PRIMARY KEY (model, dimensions)
);
