/**
 * Git: how stages get a repository's files. The cloning stage calls `sync` (clone or fetch the
 * default branch into the workspace); later stages call `ensure` with the commit the cloning
 * stage recorded, which re-clones when this machine's workspace lacks it (DESIGN.md §2), and
 * `history` for activity and churn. The adapter (src/adapters/git-cli) runs the git CLI under
 * the safety rules of DESIGN.md §3.
 */

export interface Checkout {
  /** Absolute path of the working tree, at `commit`. */
  readonly dir: string;
  /** Full 40-hex SHA of HEAD. */
  readonly commit: string;
  /** The remote's default branch, e.g. `main`. */
  readonly defaultBranch: string;
}

export interface SyncProgress {
  /** 0-100 over the whole clone or fetch, never going backwards. */
  readonly percent: number;
  /** git's own phase name, e.g. `Receiving objects`. */
  readonly phase: string;
}

export interface SyncOptions {
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: SyncProgress) => void;
}

export interface SyncResult extends Checkout {
  /** True when the workspace already had the repository and only fetched. */
  readonly fetched: boolean;
}

export interface CommitRecord {
  readonly sha: string;
  readonly authorName: string;
  /** Lower-cased; identifies a contributor. */
  readonly authorEmail: string;
  readonly authoredAt: Date;
  /** Paths the commit touched (names only: a blobless clone has no old blobs to diff). */
  readonly files: readonly string[];
}

export interface HistoryOptions {
  readonly signal: AbortSignal;
  /** Newest first, at most this many (default: all). */
  readonly maxCommits?: number;
}

export interface Git {
  sync(url: string, options: SyncOptions): Promise<SyncResult>;
  ensure(url: string, commit: string, options: { readonly signal: AbortSignal }): Promise<Checkout>;
  history(checkout: Checkout, options: HistoryOptions): Promise<readonly CommitRecord[]>;
}
