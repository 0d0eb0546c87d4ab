/**
 * Lock-file primitives shared by the PGlite data-directory lock and the git workspace locks: a
 * JSON holder record created with O_EXCL, read back with its age, a liveness check by PID, and
 * a stale-lock takeover under an exclusive marker directory that re-checks the content, so two
 * processes finding the same stale lock never both win. Each lock decides its own policy (refuse
 * or wait) on top.
 */
import { mkdir, open, readFile, rm, rmdir, stat, unlink } from 'node:fs/promises';

/** A takeover marker this old belongs to a process that died mid-takeover. */
const TAKEOVER_STALE_MS = 30_000;

export function errnoCode(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error: unknown) {
    // EPERM: it exists but belongs to another user.
    return errnoCode(error) !== 'ESRCH';
  }
}

export interface LockFileContent<H> {
  readonly text: string;
  /** Undefined while the file is being written (or is garbage). */
  readonly holder: H | undefined;
  readonly ageMs: number;
}

/** The lock file's content, or undefined when there is none. */
export async function readLockFile<H>(
  path: string,
  parse: (text: string) => H | undefined,
): Promise<LockFileContent<H> | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { text, holder: parse(text), ageMs: Date.now() - info.mtimeMs };
  } catch (error: unknown) {
    if (errnoCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

/** Creates the lock file with `holder` as JSON; false when it already exists. */
export async function createLockFile(path: string, holder: object): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'wx');
  } catch (error: unknown) {
    if (errnoCode(error) === 'EEXIST') return false;
    throw error;
  }
  try {
    await handle.writeFile(`${JSON.stringify(holder)}\n`, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes the lock at `path` if it still has exactly the content judged stale. Returns false
 * when another process is taking it over right now.
 */
export async function takeOverStaleLock(path: string, staleText: string): Promise<boolean> {
  const marker = `${path}.takeover`;
  try {
    await mkdir(marker);
  } catch (error: unknown) {
    if (errnoCode(error) !== 'EEXIST') throw error;
    const info = await stat(marker).catch(() => undefined);
    if (info !== undefined && Date.now() - info.mtimeMs > TAKEOVER_STALE_MS) {
      await rm(marker, { recursive: true, force: true });
    }
    return false;
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => undefined)) === staleText) await unlink(path);
    return true;
  } finally {
    await rmdir(marker).catch(() => undefined);
  }
}
