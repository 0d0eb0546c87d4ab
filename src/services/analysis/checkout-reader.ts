/**
 * Reads files of a checkout for the analysis, under the safety rules of DESIGN.md §3: the path
 * must be relative and stay inside the checkout, the last component is opened without following
 * a symlink and its parent directory must resolve inside the checkout (a symlinked directory
 * cannot lead out), only regular files are read, and never more than `maxBytes`. Anything else,
 * including content that looks binary (a NUL byte), reads as `null`: the caller records it.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, sep } from 'node:path';

export interface CheckoutReader {
  /** UTF-8 text of the file, or null when it is missing, unsafe, not a regular file, too big or binary. */
  read(path: string, maxBytes: number): Promise<string | null>;
}

function isSafeRelative(path: string): boolean {
  if (path === '' || isAbsolute(path) || path.startsWith('"') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '..' && segment !== '' && segment !== '.');
}

export function createCheckoutReader(root: string): CheckoutReader {
  let realRoot: Promise<string> | undefined;
  const inside = async (dir: string): Promise<boolean> => {
    realRoot ??= realpath(root);
    const base = await realRoot;
    const real = await realpath(dir);
    return real === base || real.startsWith(base + sep);
  };
  return {
    async read(path, maxBytes) {
      if (!isSafeRelative(path)) return null;
      const full = join(root, path);
      try {
        if (!(await inside(dirname(full)))) return null;
        const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const stat = await handle.stat();
          if (!stat.isFile() || stat.size > maxBytes) return null;
          const buffer = Buffer.alloc(stat.size);
          let offset = 0;
          while (offset < stat.size) {
            const { bytesRead } = await handle.read(buffer, offset, stat.size - offset, offset);
            if (bytesRead === 0) break;
            offset += bytesRead;
          }
          const bytes = buffer.subarray(0, offset);
          if (bytes.subarray(0, 8192).includes(0)) return null;
          return bytes.toString('utf8');
        } finally {
          await handle.close();
        }
      } catch {
        // Missing, a symlink (ELOOP), a directory, unreadable: all mean "not analysable here".
        return null;
      }
    },
  };
}
