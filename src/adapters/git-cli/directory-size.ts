/**
 * Bytes under a directory (file sizes, links not followed), for the repository size limit and
 * workspace housekeeping. Files vanishing during the walk (git renames temp packs) are skipped.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await directorySize(path);
    } else {
      const info = await lstat(path).catch(() => undefined);
      if (info !== undefined) total += info.size;
    }
  }
  return total;
}
