/**
 * The file manifest: File Selection's decision for every path of a checkout, with the rule that
 * decided it (issue 6). RAG loading reads the included files from it; analysis reads all of it.
 * Owned by the selection service; stored by src/adapters/sql (table file_manifest*).
 */

/** Why a file is in or out. `included` is the only reason with `included: true`. */
export type SelectionReason =
  | 'included'
  | 'gitignore'
  | 'default_ignore'
  | 'vendored'
  | 'generated'
  | 'binary'
  | 'too_large'
  | 'secret'
  | 'symlink'
  | 'unreadable'
  | 'over_budget';

/** What kind of file it is, for ranking and for the report's composition shares. */
export type FileCategory = 'source' | 'test' | 'docs' | 'example' | 'config' | 'data' | 'other';

export interface FileDecision {
  /**
   * Relative to the checkout root, `/`-separated. Non-UTF-8 names are kept as git reports them (quoted form).
   * A directory excluded as a whole (not descended into) is one entry whose path ends in `/`.
   */
  readonly path: string;
  readonly included: boolean;
  readonly reason: SelectionReason;
  /** What decided it, e.g. `.gitignore:3 dist/`, `linguist vendor ^node_modules/`, `size 2097152 > 1048576`. */
  readonly rule: string;
  /** Linguist language name, or null when unknown. */
  readonly language: string | null;
  readonly category: FileCategory;
  readonly vendored: boolean;
  readonly generated: boolean;
  readonly bytes: number;
  /** o200k tokens; null when the content was not read (excluded before reading). */
  readonly tokens: number | null;
  /** sha256 hex of the content; null when not read. */
  readonly contentHash: string | null;
  /** Higher is more important; null for excluded files, except `over_budget` ones (their rank left them out). */
  readonly rank: number | null;
}

export interface SecretFinding {
  readonly path: string;
  /** 1-based. */
  readonly line: number;
  /** Rule id, e.g. `private-key`, `aws-access-key`. Never the secret itself. */
  readonly type: string;
}

export interface SelectionTotals {
  readonly files: number;
  readonly included: number;
  readonly excluded: number;
  readonly includedBytes: number;
  readonly includedTokens: number;
  /** Count per reason. */
  readonly byReason: Partial<Record<SelectionReason, number>>;
}

export interface Manifest {
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly files: readonly FileDecision[];
  readonly secrets: readonly SecretFinding[];
  readonly totals: SelectionTotals;
  /** The token budget applied, if any. */
  readonly budget: number | null;
  /** True when the budget left included-worthy files out. */
  readonly partial: boolean;
  /** Included tokens / tokens of all files worth including, 0-100. */
  readonly coveragePercent: number;
}

export interface ManifestStore {
  /** Idempotent: saving the same repository and commit again replaces it. */
  save(manifest: Manifest): Promise<void>;
  /** The manifest for `commit`, or the newest one when omitted. */
  get(repositoryUrl: string, commit?: string): Promise<Manifest | undefined>;
}
