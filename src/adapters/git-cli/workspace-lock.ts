/**
 * One writer per checkout directory. Inside a process, calls for the same directory queue on a
 * promise chain; across processes sharing the workspace, the holder is recorded in
 * `locks/<name>.lock` (created with O_EXCL: pid, host, a random token). A lock whose process is
 * gone (same host, PID not running) is stale and is taken over under an exclusive marker
 * directory, re-checking the content so two processes finding the same stale lock never both
 * win. A lock held by a live process is waited for, until the caller's signal aborts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createLockFile, isAlive, readLockFile, takeOverStaleLock } from '../system/lock-file.js';

interface Holder {
  readonly pid: number;
  readonly hostname: string;
  readonly token: string;
}

export interface HeldLock {
  release(): Promise<void>;
}

const RETRY_MS = 100;
const UNREADABLE_GRACE_MS = 10_000;

const readLock = (path: string) => readLockFile(path, parseHolder);

function parseHolder(text: string): Holder | undefined {
  try {
    const value = JSON.parse(text) as Partial<Holder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.token === 'string') {
      return { pid: value.pid, hostname: value.hostname, token: value.token };
    }
  } catch {
    // unreadable: being written, or garbage
  }
  return undefined;
}

/** Whether the lock file is held by a live process (ours or another). */
async function heldByLiveProcess(path: string): Promise<boolean> {
  const existing = await readLock(path);
  if (existing === undefined) return false;
  const { holder } = existing;
  if (holder === undefined) return existing.ageMs < UNREADABLE_GRACE_MS;
  if (holder.hostname !== hostname()) return true; // cannot check: assume alive
  return isAlive(holder.pid);
}

/** Tries once to take the file lock; clears a stale one first. */
export async function tryLockFile(path: string): Promise<HeldLock | undefined> {
  const me: Holder = { pid: process.pid, hostname: hostname(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await createLockFile(path, me)) {
      return {
        release: async () => {
          const current = await readLock(path);
          if (current?.holder?.token === me.token) await unlink(path).catch(() => undefined);
        },
      };
    }
    const existing = await readLock(path);
    if (existing === undefined) continue;
    if (await heldByLiveProcess(path)) return undefined;
    await takeOverStaleLock(path, existing.text);
  }
  return undefined;
}

/** In-process queues plus the cross-process lock file, per checkout name. */
export interface WorkspaceLocks {
  /** Runs `work` holding the lock for `name`, waiting for other holders first. */
  withLock<T>(name: string, signal: AbortSignal, work: () => Promise<T>): Promise<T>;
  /** True while this process runs work for `name` or waits to. */
  busy(name: string): boolean;
  /** Takes the lock only if nobody holds it now (for housekeeping). */
  tryLock(name: string): Promise<HeldLock | undefined>;
}

export function createWorkspaceLocks(lockDir: string): WorkspaceLocks {
  const tails = new Map<string, Promise<unknown>>();
  const counts = new Map<string, number>();
  const pathOf = (name: string): string => join(lockDir, `${name}.lock`);

  const acquireFile = async (name: string, signal: AbortSignal): Promise<HeldLock> => {
    await mkdir(lockDir, { recursive: true });
    for (;;) {
      signal.throwIfAborted();
      const lock = await tryLockFile(pathOf(name));
      if (lock !== undefined) return lock;
      await delay(RETRY_MS, undefined, { signal });
    }
  };

  return {
    async withLock(name, signal, work) {
      counts.set(name, (counts.get(name) ?? 0) + 1);
      const previous = tails.get(name) ?? Promise.resolve();
      const run = previous
        .catch(() => undefined)
        .then(async () => {
          const lock = await acquireFile(name, signal);
          try {
            return await work();
          } finally {
            await lock.release();
          }
        });
      const tail = run.catch(() => undefined);
      tails.set(name, tail);
      try {
        return await run;
      } finally {
        const left = (counts.get(name) ?? 1) - 1;
        if (left === 0) counts.delete(name);
        else counts.set(name, left);
        if (tails.get(name) === tail) tails.delete(name);
      }
    },
    busy: (name) => (counts.get(name) ?? 0) > 0,
    async tryLock(name) {
      if ((counts.get(name) ?? 0) > 0) return undefined;
      await mkdir(lockDir, { recursive: true });
      return tryLockFile(pathOf(name));
    },
  };
}
