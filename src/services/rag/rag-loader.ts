/**
 * RAG loading for one repository at one commit: read and chunk only the manifest's included files
 * whose content hash the index's current generation does not already hold (or holds without the
 * current model's vectors), embed only chunks whose (contentHash, model) is not in the embedding
 * cache, then publish the new generation atomically (see src/ports/chunk-index.ts and README.md).
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { RepolensError } from '../../domain/errors.js';
import type { Chunk } from '../../ports/chunk.js';
import type { ChunkedFile, ChunkIndex, FileRef, SearchMode } from '../../ports/chunk-index.js';
import type { Embedder, EmbedderUsage } from '../../ports/embedder.js';
import type { FileDecision } from '../../ports/manifest-store.js';

export const RagLoaderErrorCodes = {
  /** A manifest path points outside the checkout (`..`, absolute, or through a link). */
  pathOutsideCheckout: 'REPOLENS_RAG_PATH_OUTSIDE_CHECKOUT',
} as const;

/** What the loader needs of a chunker (src/services/rag/chunking's `Chunker` fits). */
export interface FileChunker {
  chunkFile(input: {
    readonly path: string;
    readonly language: string | null;
    readonly content: string;
  }): readonly Chunk[] | Promise<readonly Chunk[]>;
}

export interface LoadRepositoryInput {
  readonly repositoryUrl: string;
  readonly commit: string;
  /** The checkout directory at `commit`. */
  readonly root: string;
  /** The manifest's files; only `included` ones with a content hash are loaded. */
  readonly files: readonly FileDecision[];
  readonly chunker: FileChunker;
  readonly index: ChunkIndex;
  readonly embedder?: Embedder;
  readonly signal: AbortSignal;
  /** Units: chunks embedded plus chunks written; `total` is known once chunking is done. */
  readonly onProgress?: (written: number, total: number) => void;
}

export interface LoadRepositoryResult {
  /** Chunks in the published generation. */
  readonly chunks: number;
  readonly filesChunked: number;
  readonly filesReused: number;
  /** Included files that vanished from the checkout (or were not regular files): not indexed. */
  readonly filesSkipped: number;
  /** Chunks whose vector the embedder made now. */
  readonly embedded: number;
  /** Chunks whose vector came from the cache. */
  readonly embeddingsReused: number;
  readonly mode: SearchMode;
  /** The embedder's requests and input tokens spent on this load. */
  readonly usage: EmbedderUsage;
}

/** Texts per `embed` call: the adapter batches further; this bounds progress steps and cache writes. */
const EMBED_GROUP = 256;

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** Reads `path` under `root`, refusing anything that leaves it; undefined when it is gone. */
async function readInside(root: string, realRoot: string, path: string): Promise<Buffer | undefined> {
  const full = join(root, path);
  const rel = relative(root, full);
  if (isAbsolute(path) || rel === '' || rel.startsWith(`..${sep}`) || rel === '..') {
    throw new RepolensError(
      RagLoaderErrorCodes.pathOutsideCheckout,
      `manifest path ${JSON.stringify(path)} leaves the checkout`,
    );
  }
  try {
    const stats = await lstat(full);
    if (!stats.isFile()) return undefined;
    // A directory on the way may be a link out of the checkout.
    const real = await realpath(full);
    if (real !== realRoot && !real.startsWith(realRoot + sep)) {
      throw new RepolensError(
        RagLoaderErrorCodes.pathOutsideCheckout,
        `${JSON.stringify(path)} resolves outside the checkout`,
      );
    }
    return await readFile(full);
  } catch (error: unknown) {
    if ((error as { code?: unknown }).code === 'ENOENT' || (error as { code?: unknown }).code === 'ENOTDIR')
      return undefined;
    throw error;
  }
}

function usageDelta(before: EmbedderUsage | undefined, after: EmbedderUsage | undefined): EmbedderUsage {
  if (before === undefined || after === undefined) return { requests: 0, inputTokens: 0 };
  return { requests: after.requests - before.requests, inputTokens: after.inputTokens - before.inputTokens };
}

export async function loadRepository(input: LoadRepositoryInput): Promise<LoadRepositoryResult> {
  const { repositoryUrl, index, embedder, signal } = input;
  const usageBefore = embedder?.usage();
  const wanted = input.files.filter(
    (file): file is FileDecision & { contentHash: string } => file.included && file.contentHash !== null,
  );
  const current = new Map(
    (await index.currentFiles(repositoryUrl, embedder === undefined ? {} : { embeddingModel: embedder.model })).map(
      (file) => [file.path, file.contentHash],
    ),
  );
  const reuse: FileRef[] = [];
  const changed: (FileDecision & { contentHash: string })[] = [];
  for (const file of wanted) {
    if (current.get(file.path) === file.contentHash) reuse.push({ path: file.path, contentHash: file.contentHash });
    else changed.push(file);
  }

  const realRoot = await realpath(input.root);
  const chunked: ChunkedFile[] = [];
  let skipped = 0;
  for (const file of changed) {
    signal.throwIfAborted();
    const bytes = await readInside(input.root, realRoot, file.path);
    if (bytes === undefined) {
      skipped += 1;
      continue;
    }
    // The hash of what was read keys the file: if the checkout differs from the manifest, the
    // index describes the checkout (and a later load with the right content re-chunks it).
    const contentHash = sha256(bytes);
    const chunks = await input.chunker.chunkFile({
      path: file.path,
      language: file.language,
      content: bytes.toString('utf8'),
    });
    chunked.push({ path: file.path, contentHash, chunks: [...chunks] });
  }

  const allChunks = chunked.flatMap((file) => file.chunks);
  const toWrite = allChunks.length;
  let embedded = 0;
  let embeddingsReused = 0;
  let files: ChunkedFile[] = chunked;
  if (embedder !== undefined && allChunks.length > 0) {
    const vectors = await index.cachedEmbeddings(
      embedder.model,
      allChunks.map((chunk) => chunk.contentHash),
    );
    const missing = new Map<string, string>();
    for (const chunk of allChunks) if (!vectors.has(chunk.contentHash)) missing.set(chunk.contentHash, chunk.content);
    const total = missing.size + toWrite;
    input.onProgress?.(0, total);
    const pending = [...missing.entries()];
    for (let i = 0; i < pending.length; i += EMBED_GROUP) {
      const group = pending.slice(i, i + EMBED_GROUP);
      const made = await embedder.embed(
        group.map(([, content]) => content),
        { signal },
      );
      const entries = group.map(([contentHash], j) => ({ contentHash, embedding: made[j] ?? [] }));
      // Cached at once, so a load that fails later never pays for these again.
      await index.cacheEmbeddings(embedder.model, entries);
      for (const entry of entries) vectors.set(entry.contentHash, entry.embedding);
      input.onProgress?.(Math.min(i + EMBED_GROUP, pending.length), total);
    }
    embedded = allChunks.filter((chunk) => missing.has(chunk.contentHash)).length;
    embeddingsReused = allChunks.length - embedded;
    files = chunked.map((file) => ({
      ...file,
      embeddings: file.chunks.map((chunk) => vectors.get(chunk.contentHash) ?? []),
    }));
    const offset = missing.size;
    const result = await index.publish({
      repositoryUrl,
      commit: input.commit,
      files,
      reuse,
      embeddingModel: embedder.model,
      signal,
      onProgress: (written) => input.onProgress?.(offset + written, total),
    });
    return {
      chunks: result.chunks,
      filesChunked: chunked.length,
      filesReused: reuse.length,
      filesSkipped: skipped,
      embedded,
      embeddingsReused,
      mode: 'hybrid',
      usage: usageDelta(usageBefore, embedder.usage()),
    };
  }
  const result = await index.publish({
    repositoryUrl,
    commit: input.commit,
    files,
    reuse,
    signal,
    ...(input.onProgress === undefined ? {} : { onProgress: input.onProgress }),
  });
  return {
    chunks: result.chunks,
    filesChunked: chunked.length,
    filesReused: reuse.length,
    filesSkipped: skipped,
    embedded,
    embeddingsReused,
    mode: embedder === undefined ? 'lexical' : 'hybrid',
    usage: usageDelta(usageBefore, embedder?.usage()),
  };
}
