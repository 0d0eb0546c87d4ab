/**
 * The tree walk: every entry under the checkout root except `.git`, never following a link.
 * Directories that .gitignore, the default list or Linguist's vendor/generated rules exclude are
 * not descended into; each becomes one decision with its path ending in `/` (listing their files
 * would mean walking node_modules-sized trees to say "excluded" thousands of times). Names are
 * read as bytes: one that is not valid UTF-8 becomes an `unreadable` decision under git's quoted
 * form instead of a lossy string that would name a different file. Iterative (a stack, not
 * recursion), so depth is bounded by the file system, not by the call stack.
 */
import { isUtf8 } from 'node:buffer';
import type { Dirent } from 'node:fs';
import { lstat, open, readdir, readlink } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { defaultIgnoredDirectory } from './default-ignore.js';
import { ignoredBy, parseIgnoreFile, type IgnoreLevel } from './gitignore-stack.js';
import { generatedPathPatterns, vendorPatterns } from './linguist-rules.js';
import { gitQuotedPath } from './quoted-path.js';
import type { SelectionReason } from '../../ports/manifest-store.js';

/** A regular file to classify, with the .gitignore rule that excludes it, if any. */
export interface FileEntry {
  readonly kind: 'file';
  readonly path: string;
  readonly absolute: string;
  readonly name: string;
  readonly ignoredBy: string | undefined;
}

/** An entry decided by the walk alone: a pruned directory, a link, an odd name, a special file. */
export interface DecidedEntry {
  readonly kind: 'decided';
  readonly path: string;
  readonly absolute: string | Buffer;
  readonly reason: SelectionReason;
  readonly rule: string;
  readonly vendored: boolean;
  readonly generated: boolean;
}

export type WalkEntry = FileEntry | DecidedEntry;

/** .gitignore files bigger than this are not read (their patterns would be the attack). */
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

async function readSmallFile(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_IGNORE_FILE_BYTES) return undefined;
    return await handle.readFile('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function infoExclude(root: string): Promise<IgnoreLevel | undefined> {
  try {
    if (!(await lstat(join(root, '.git'))).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const content = await readSmallFile(join(root, '.git', 'info', 'exclude'));
  return content === undefined ? undefined : parseIgnoreFile('', '.git/info/exclude', content);
}

async function symlinkRule(root: string, absolute: string, path: string): Promise<string> {
  let target: string;
  try {
    target = await readlink(absolute);
  } catch {
    return 'symlink (target unreadable)';
  }
  const resolved = resolve(root, path, '..', target);
  const rel = relative(root, resolved);
  const outside = rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
  return `symlink -> ${JSON.stringify(target)} (${outside ? 'outside' : 'inside'} the checkout)`;
}

interface PendingDirectory {
  readonly path: string;
  readonly absolute: string;
  readonly levels: readonly IgnoreLevel[];
}

export async function walkTree(root: string, signal?: AbortSignal): Promise<WalkEntry[]> {
  const entries: WalkEntry[] = [];
  const exclude = await infoExclude(root);
  const stack: PendingDirectory[] = [{ path: '', absolute: root, levels: exclude === undefined ? [] : [exclude] }];
  while (stack.length > 0) {
    signal?.throwIfAborted();
    const directory = stack.pop() as PendingDirectory;
    let dirents: Dirent<Buffer>[];
    try {
      dirents = await readdir(directory.absolute, { withFileTypes: true, encoding: 'buffer' });
    } catch (error) {
      entries.push(decided(directory.path, directory.absolute, 'unreadable', `directory: ${codeOf(error)}`));
      continue;
    }
    let levels = directory.levels;
    if (dirents.some((dirent) => dirent.isFile() && dirent.name.toString() === '.gitignore')) {
      const content = await readSmallFile(join(directory.absolute, '.gitignore'));
      const level =
        content === undefined ? undefined : parseIgnoreFile(directory.path, `${directory.path}.gitignore`, content);
      if (level !== undefined) levels = [...levels, level];
    }
    for (const dirent of dirents) {
      const nameBytes = dirent.name;
      if (!isUtf8(nameBytes)) {
        const bytes = Buffer.concat([Buffer.from(directory.path), nameBytes]);
        const quoted = gitQuotedPath(bytes) + (dirent.isDirectory() ? '/' : '');
        entries.push(decided(quoted, bytes, 'unreadable', 'file name is not valid UTF-8'));
        continue;
      }
      const name = nameBytes.toString('utf8');
      if (name === '.git') continue;
      const path = directory.path + name;
      const absolute = join(directory.absolute, name);
      if (dirent.isDirectory()) {
        const dirPath = `${path}/`;
        const rule = ignoredBy(levels, dirPath);
        if (rule !== undefined) {
          entries.push(decided(dirPath, absolute, 'gitignore', rule));
          continue;
        }
        const byDefault = defaultIgnoredDirectory(name);
        if (byDefault !== undefined) {
          entries.push(decided(dirPath, absolute, 'default_ignore', byDefault));
          continue;
        }
        const vendor = vendorPatterns.match(dirPath);
        if (vendor !== undefined) {
          entries.push(decided(dirPath, absolute, 'vendored', `linguist vendor ${vendor}`));
          continue;
        }
        const generated = generatedPathPatterns.match(dirPath);
        if (generated !== undefined) {
          entries.push(decided(dirPath, absolute, 'generated', `linguist generated ${generated}`));
          continue;
        }
        stack.push({ path: dirPath, absolute, levels });
        continue;
      }
      const rule = ignoredBy(levels, path);
      if (dirent.isSymbolicLink()) {
        entries.push(
          rule === undefined
            ? decided(path, absolute, 'symlink', await symlinkRule(root, absolute, path))
            : decided(path, absolute, 'gitignore', rule),
        );
      } else if (dirent.isFile()) {
        entries.push({ kind: 'file', path, absolute, name, ignoredBy: rule });
      } else {
        entries.push(
          decided(path, absolute, rule === undefined ? 'unreadable' : 'gitignore', rule ?? 'not a regular file'),
        );
      }
    }
  }
  return entries;
}

function decided(path: string, absolute: string | Buffer, reason: SelectionReason, rule: string): DecidedEntry {
  return {
    kind: 'decided',
    path,
    absolute,
    reason,
    rule,
    vendored: reason === 'vendored',
    generated: reason === 'generated',
  };
}

export function codeOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : 'error';
}
