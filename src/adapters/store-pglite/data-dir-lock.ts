/**
 * One process at a time may open a PGlite directory: a second one would corrupt it. The holder
 * is recorded in `<dataDir>/repolens.lock`, created with O_EXCL. A lock whose process is gone
 * (same host, PID not running) is stale and taken over; taking over happens under a second
 * exclusive marker (`repolens.lock.takeover`, a directory) and re-checks the lock's content, so
 * two processes finding the same stale lock never both win.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RepolensError } from '../../domain/errors.js';
import { createLockFile, isAlive, readLockFile, takeOverStaleLock } from '../system/lock-file.js';

export const LOCK_FILE_NAME = 'repolens.lock';

export const LockErrorCodes = {
  /** Another process (named in the message and details) has the data directory open. */
  locked: 'REPOLENS_DATABASE_LOCKED',
} as const;

export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  readonly startedAt: string;
  readonly token: string;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the lock file if it is still ours. Safe twice. */
  release(): Promise<void>;
}

// A lock file that cannot be parsed is being written right now, unless it is older than this.
const UNREADABLE_GRACE_MS = 10_000;
const MAX_ATTEMPTS = 5;

const readLock = (path: string) => readLockFile(path, parseHolder);

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string') {
      return {
        pid: value.pid,
        hostname: value.hostname,
        startedAt: String(value.startedAt),
        token: String(value.token),
      };
    }
  } catch {
    // fall through: unreadable
  }
  return undefined;
}

function lockedError(dataDir: string, path: string, holder: LockHolder | undefined, reason?: string): RepolensError {
  const who =
    holder === undefined
      ? 'another process (its lock file is being written)'
      : `process ${holder.pid} on host ${holder.hostname} (since ${holder.startedAt})`;
  return new RepolensError(
    LockErrorCodes.locked,
    `the PGlite database in ${dataDir} is in use by ${who}${reason === undefined ? '' : `; ${reason}`}. ` +
      `Only one process may open it: stop that process, or use the running one. If it is certainly not running, ` +
      `delete ${path}.`,
    { details: { dataDir, lockFile: path, holderPid: holder?.pid, holderHost: holder?.hostname } },
  );
}

export async function acquireDataDirLock(dataDir: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE_NAME);
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };

  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createLockFile(path, me)) return ownedLock(path, me);
    const existing = await readLock(path);
    if (existing === undefined) continue; // released meanwhile
    const { holder } = existing;
    if (holder === undefined) {
      if (existing.ageMs < UNREADABLE_GRACE_MS) throw lockedError(dataDir, path, undefined);
    } else if (holder.hostname !== me.hostname) {
      throw lockedError(dataDir, path, holder, 'repolens cannot check a process on another host');
    } else if (isAlive(holder.pid)) {
      throw lockedError(dataDir, path, holder);
    }
    // Stale: the holder died without releasing. Take over, then race for the file again.
    await takeOverStaleLock(path, existing.text);
  }
  throw lockedError(
    dataDir,
    path,
    (await readLock(path))?.holder,
    'the lock kept changing while repolens tried to take it',
  );
}

function ownedLock(path: string, me: LockHolder): DataDirLock {
  let released: Promise<void> | undefined;
  const release = async (): Promise<void> => {
    const current = await readLock(path);
    if (current?.holder?.token === me.token && current.holder.pid === me.pid) await unlink(path);
  };
  return {
    path,
    release: () => {
      released ??= release();
      return released;
    },
  };
}
