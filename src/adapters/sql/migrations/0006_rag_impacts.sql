-- Impact-ordered postings and document frequencies for the RAG index (issue 7's speed targets).
-- 0004's search read every posting of every query term (common terms have tens of thousands);
-- this lets a search read only the best postings of each term. See src/services/rag/README.md.

-- impact: the posting's BM25F term weight tf~·(k1+1)/(k1+tf~) (no idf), computed when the posting
-- is written with its generation's average field lengths. Only the ORDER in which a search reads
-- a term's postings depends on it; scores are recomputed exactly from tf_*/len_*.
-- repo_key: the first 32 bits of md5(repository_url), so a search scoped to one repository reads
-- only that repository's postings (a collision only costs reads: the scope filter still applies).
ALTER TABLE rag_postings ADD COLUMN repo_key integer NOT NULL DEFAULT 0;
ALTER TABLE rag_postings ADD COLUMN impact real NOT NULL DEFAULT 0;

UPDATE rag_postings p SET repo_key = ('x' || substr(md5(f.repository_url), 1, 8))::bit(32)::int
FROM rag_files f WHERE f.id = p.file_id;

-- Existing postings get the impact of the default parameters (k1 1.2; weight/b: body 1/0.75,
-- path 2/0.5, symbol 3/0.5) with their current generation's averages.
WITH averages AS (
  SELECT gf.file_id,
         greatest(g.body_length::float8 / greatest(g.chunk_count, 1), 1) AS body,
         greatest(g.path_length::float8 / greatest(g.chunk_count, 1), 1) AS path,
         greatest(g.symbol_length::float8 / greatest(g.chunk_count, 1), 1) AS symbol
  FROM rag_repositories r
  JOIN rag_generations g ON g.id = r.generation_id
  JOIN rag_generation_files gf ON gf.generation_id = g.id
)
UPDATE rag_postings p SET impact = (
    (p.tf_body / (0.25 + 0.75 * p.len_body / a.body) + 2 * p.tf_path / (0.5 + 0.5 * p.len_path / a.path)
      + 3 * p.tf_symbol / (0.5 + 0.5 * p.len_symbol / a.symbol)) * 2.2
  ) / (1.2 + p.tf_body / (0.25 + 0.75 * p.len_body / a.body) + 2 * p.tf_path / (0.5 + 0.5 * p.len_path / a.path)
      + 3 * p.tf_symbol / (0.5 + 0.5 * p.len_symbol / a.symbol))
FROM averages a
WHERE a.file_id = p.file_id;

ALTER TABLE rag_postings ALTER COLUMN repo_key DROP DEFAULT;
ALTER TABLE rag_postings ALTER COLUMN impact DROP DEFAULT;

-- Scoped searches and exact re-scoring look postings up by (term, repository, chunk).
ALTER TABLE rag_postings DROP CONSTRAINT rag_postings_pkey;
ALTER TABLE rag_postings ADD PRIMARY KEY (term, repo_key, chunk_id)
  INCLUDE (file_id, tf_body, tf_path, tf_symbol, len_body, len_path, len_symbol);
-- Unscoped searches read each term's postings best first and stop after a few hundred.
CREATE INDEX rag_postings_impact_idx ON rag_postings (term, impact DESC) INCLUDE (chunk_id, repo_key, file_id);

-- Document frequency of each term per generation, so idf needs no count over the postings.
CREATE TABLE rag_term_df (
  term text NOT NULL,
  generation_id bigint NOT NULL REFERENCES rag_generations (id) ON DELETE CASCADE,
  df integer NOT NULL,
  PRIMARY KEY (term, generation_id) INCLUDE (df)
);
CREATE INDEX rag_term_df_generation_idx ON rag_term_df (generation_id);

INSERT INTO rag_term_df (term, generation_id, df)
SELECT p.term, gf.generation_id, count(*)::int
FROM rag_postings p JOIN rag_generation_files gf ON gf.file_id = p.file_id
GROUP BY p.term, gf.generation_id;
