/**
 * Finds every git repository under a directory: a working tree (has a `.git` directory or a
 * `.git` file, as worktrees and submodules have) or a bare repository (`HEAD` file plus
 * `objects` and `refs` directories). A found repository is not descended into (its internals
 * and any nested repositories are its own business), nor is `node_modules`. Symbolic links are
 * never followed, so a link loop or a link out of the tree cannot widen or hang the scan.
 * Bounded by depth and by the number of directories read; unreadable directories are skipped.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';

export interface ScanOptions {
  /** Levels below the root searched (default 12). */
  readonly maxDepth?: number;
  /** Most directories read before the scan stops with an error (default 100 000). */
  readonly maxDirectories?: number;
  readonly signal?: AbortSignal;
}

export interface ScanResult {
  /** Absolute, symlink-free paths, sorted. */
  readonly repositories: readonly string[];
  /** Directories that could not be read (permissions, vanished meanwhile). */
  readonly unreadable: readonly string[];
}

const SKIPPED_DIRECTORIES = new Set(['node_modules']);

function isRepository(entries: readonly Dirent[]): boolean {
  const byName = new Map(entries.map((entry) => [entry.name, entry]));
  const dotGit = byName.get('.git');
  if (dotGit !== undefined && (dotGit.isDirectory() || dotGit.isFile())) return true;
  return (
    byName.get('HEAD')?.isFile() === true &&
    byName.get('objects')?.isDirectory() === true &&
    byName.get('refs')?.isDirectory() === true
  );
}

export async function scanForRepositories(root: string, options: ScanOptions = {}): Promise<ScanResult> {
  const maxDepth = options.maxDepth ?? 12;
  const maxDirectories = options.maxDirectories ?? 100_000;
  let start: string;
  try {
    start = await realpath(root);
    if (!(await stat(start)).isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new RepolensError(ErrorCodes.inputInvalid, `cannot scan ${root}: not a readable directory`, {
      cause: error,
    });
  }

  const repositories: string[] = [];
  const unreadable: string[] = [];
  // Breadth first with an explicit queue: deep trees cannot overflow the stack.
  const queue: { dir: string; depth: number }[] = [{ dir: start, depth: 0 }];
  let read = 0;
  while (queue.length > 0) {
    options.signal?.throwIfAborted();
    const { dir, depth } = queue.shift() as { dir: string; depth: number };
    if (++read > maxDirectories) {
      throw new RepolensError(
        ErrorCodes.inputInvalid,
        `scan of ${root} stopped: more than ${maxDirectories} directories`,
      );
    }
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      unreadable.push(dir);
      continue;
    }
    if (isRepository(entries)) {
      repositories.push(dir);
      continue;
    }
    if (depth >= maxDepth) continue;
    for (const entry of entries) {
      // Dirent types come from lstat: a symlink to a directory is a symlink, not a directory.
      if (entry.isDirectory() && !SKIPPED_DIRECTORIES.has(entry.name)) {
        queue.push({ dir: join(dir, entry.name), depth: depth + 1 });
      }
    }
  }
  repositories.sort();
  return { repositories, unreadable };
}
