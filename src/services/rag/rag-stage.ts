/**
 * The RAG Loading Service's stage (seed: `select_files` completed → RAG Loading): chunk the
 * manifest's included files of the recorded commit and publish them as the repository's new
 * index generation (only changed files are re-chunked and re-embedded; the switch is atomic).
 * On a `completed` trigger an index already at the commit is kept; `pending` reloads.
 */
import type { ChunkIndex } from '../../ports/chunk-index.js';
import type { Embedder } from '../../ports/embedder.js';
import type { Git } from '../../ports/git.js';
import type { ManifestStore } from '../../ports/manifest-store.js';
import type { Store } from '../../ports/store.js';
import { RepolensError } from '../../domain/errors.js';
import { resolveCommit, StageErrorCodes } from '../stage/stage-commit.js';
import type { StageDefinition } from '../stage/stage-route.js';
import type { Chunker } from './chunking/index.js';
import { loadRepository } from './rag-loader.js';

export const RAG_SERVICE = 'rag-loading';

export interface RagStageDeps {
  readonly git: Git;
  readonly manifests: ManifestStore;
  readonly index: ChunkIndex;
  readonly store: Pick<Store, 'getRepository'>;
  /** Loaded once per process: the grammars take a moment. */
  readonly chunker: () => Promise<Chunker>;
  readonly embedder?: Embedder;
}

export function ragStage(deps: RagStageDeps): StageDefinition {
  return {
    service: RAG_SERVICE,
    taskType: 'load_rag',
    status: 'rag_loaded',
    after: 'select_files',
    run: async (job, work) => {
      const commit = await resolveCommit(job, deps.store);
      if (!job.forced && (await deps.index.stats(job.repositoryUrl))?.commit === commit) return { commit };
      const manifest = await deps.manifests.get(job.repositoryUrl, commit);
      if (manifest === undefined) {
        throw new RepolensError(
          StageErrorCodes.inputMissing,
          `no file manifest for ${job.repositoryUrl} at ${commit}: run file selection again`,
        );
      }
      const checkout = await deps.git.ensure(job.repositoryUrl, commit, { signal: work.signal });
      await loadRepository({
        repositoryUrl: job.repositoryUrl,
        commit,
        root: checkout.dir,
        files: manifest.files.filter((file) => file.included),
        chunker: await deps.chunker(),
        index: deps.index,
        embedder: deps.embedder,
        signal: work.signal,
        onProgress: (written, total) => work.progress(total === 0 ? 99 : (99 * written) / total),
      });
      return { commit, defaultBranch: checkout.defaultBranch };
    },
  };
}
