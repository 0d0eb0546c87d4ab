/**
 * The `Git` port on the git CLI: blobless partial clones (all commits and trees, blobs of the
 * checked-out commit only) in a workspace with one directory per repository, kept up to date by
 * fetch. The algorithm, the safety rules and the limits are in README.md beside this file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { Checkout, CommitRecord, Git, HistoryOptions, SyncOptions, SyncResult } from '../../ports/git.js';
import type { Logger } from '../../ports/logger.js';
import { silentLogger } from '../system/silent-logger.js';
import { GitErrorCodes, gitError, scrub } from './errors.js';
import { gitConfigArgs, gitEnvironment } from './git-env.js';
import { logCommand } from './history.js';
import { createProgressTracker, type ProgressTracker } from './progress.js';
import { runGit } from './run-git.js';
import { directorySize } from './directory-size.js';
import { parseRepositoryUrl, type ParsedRepositoryUrl } from './url-policy.js';
import { createWorkspaceLocks } from './workspace-lock.js';

export interface GitCliOptions {
  /** Absolute; holds `repos/<slug>-<hash>` checkouts, `tmp/` clones in progress and `locks/`. */
  readonly workspaceDir: string;
  /** Per git invocation; on expiry the whole process group is killed (retryable error). */
  readonly timeoutMs?: number;
  /** Size of a repository's `.git`, enforced while git transfers (permanent error). */
  readonly maxRepositoryBytes?: number;
  /** Files at the commit checked out, counted before checkout (permanent error). */
  readonly maxFiles?: number;
  /** Default `['https', 'ssh', 'git']`; `file` is governed by `allowLocal`. */
  readonly allowedProtocols?: readonly string[];
  /** Local paths and file:// URLs; default false. */
  readonly allowLocal?: boolean;
  /** Basic-auth credentials for an http(s) repository; they reach git only as an env-config header. */
  readonly credentials?: (url: URL) => { username: string; password: string } | undefined;
  readonly logger?: Logger;
  readonly housekeeping?: {
    readonly maxWorkspaceBytes?: number;
    readonly ttlMs?: number;
    /**
     * Set: housekeeping also runs by itself, in the background, after a sync or ensure (failed
     * ones too), at most once per this many ms in this process (0: after every one). Unset: only
     * when `housekeep()` is called.
     */
    readonly intervalMs?: number;
  };
  /** The git executable; default `git` looked up on `path`. */
  readonly gitBinary?: string;
  /** PATH given to git (the only variable inherited from outside); default `/usr/local/bin:/usr/bin:/bin`. */
  readonly path?: string;
  /** How often `.git` is measured during a transfer; default 200 ms. */
  readonly sizeCheckIntervalMs?: number;
}

export interface GitCli extends Git {
  /** Removes checkouts unused for `ttlMs` and, oldest first, those beyond `maxWorkspaceBytes`. */
  housekeep(): Promise<{ removed: string[] }>;
  /** Aborts running git commands and housekeeping and waits for them. Safe twice. */
  close(): Promise<void>;
}

export const DEFAULT_GIT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_MAX_REPOSITORY_BYTES = 2 * 1024 ** 3;
export const DEFAULT_MAX_FILES = 200_000;
export const DEFAULT_ALLOWED_PROTOCOLS: readonly string[] = ['https', 'ssh', 'git'];

/** Written into `.git` once the working tree is complete at `commit`; removed while it changes. */
const MARKER = 'repolens-checkout.json';

/**
 * What this adapter checked out, written after a checkout completed and removed before one
 * starts: a directory whose marker names the URL and commit asked for is used without running
 * git (each git process costs a fork of this, possibly large, process).
 */
interface Marker {
  readonly commit: string;
  readonly defaultBranch: string;
  /** The clone URL; missing in markers written before it was recorded. */
  readonly url?: string;
}

/** What a git run needs to know about its repository: how to show it, its env, what to scrub. */
interface RunContext {
  readonly display: string;
  readonly netEnv: Record<string, string>;
  readonly secrets: readonly string[];
}

/** One repository's git settings: network env (with credentials) and the secrets to scrub. */
interface Target extends RunContext {
  readonly parsed: ParsedRepositoryUrl;
}

interface Step {
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly what: string;
  readonly network: boolean;
  readonly stdin?: string;
  readonly tracker?: ProgressTracker;
  /** `.git` directory whose size is limited while this step runs. */
  readonly sizeLimitedGitDir?: string;
  readonly onStdout?: (chunk: Buffer) => Error | undefined;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

export function createGitCli(options: GitCliOptions): GitCli {
  const workspaceDir = options.workspaceDir;
  if (!workspaceDir.startsWith('/')) {
    throw new RepolensError(ErrorCodes.configInvalid, `git workspaceDir must be absolute, got "${workspaceDir}"`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_GIT_TIMEOUT_MS;
  const maxRepositoryBytes = options.maxRepositoryBytes ?? DEFAULT_MAX_REPOSITORY_BYTES;
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const allowedProtocols = (options.allowedProtocols ?? DEFAULT_ALLOWED_PROTOCOLS).filter((p) => p !== 'file');
  const allowLocal = options.allowLocal ?? false;
  const gitBinary = options.gitBinary ?? 'git';
  const searchPath = options.path ?? '/usr/local/bin:/usr/bin:/bin';
  const sizeCheckIntervalMs = options.sizeCheckIntervalMs ?? 200;
  const logger = (options.logger ?? silentLogger).child({ module: 'git-cli' });
  const reposDir = join(workspaceDir, 'repos');
  const tmpDir = join(workspaceDir, 'tmp');
  const homeDir = join(workspaceDir, 'home');
  const locks = createWorkspaceLocks(join(workspaceDir, 'locks'));
  const policy = { allowedProtocols, allowLocal };
  const netProtocols = allowLocal ? [...allowedProtocols, 'file'] : allowedProtocols;
  const offlineEnv = gitEnvironment({ path: searchPath, home: homeDir, protocols: [] });
  const closing = new AbortController();
  const running = new Set<Promise<unknown>>();
  let prepared: Promise<void> | undefined;

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      await mkdir(reposDir, { recursive: true });
      await mkdir(tmpDir, { recursive: true });
      await mkdir(homeDir, { recursive: true, mode: 0o700 });
    })();
    return prepared;
  };

  const target = (url: string): Target => {
    const parsed = parseRepositoryUrl(url, policy);
    let basicAuth: { origin: string; username: string; password: string } | undefined;
    if (parsed.url !== undefined && (parsed.protocol === 'http' || parsed.protocol === 'https')) {
      const given = options.credentials?.(new URL(parsed.url.href)) ?? parsed.inlineCredentials;
      if (given !== undefined) basicAuth = { origin: parsed.url.origin, ...given };
    }
    const env = gitEnvironment({ path: searchPath, home: homeDir, protocols: netProtocols, basicAuth });
    const secrets = basicAuth === undefined ? [] : [basicAuth.password, env['GIT_CONFIG_VALUE_0'] ?? ''];
    return { parsed, display: parsed.display, netEnv: env, secrets };
  };

  const tooLarge = (t: RunContext, bytes: number): RepolensError =>
    gitError(
      GitErrorCodes.tooLarge,
      `${t.display} is larger than the limit of ${maxRepositoryBytes} bytes (reached ${bytes} bytes); the transfer was stopped`,
      { url: t.display, maxRepositoryBytes, observedBytes: bytes },
    );

  const git = async (t: RunContext, signal: AbortSignal, step: Step): Promise<string> => {
    const config = gitConfigArgs(step.network ? netProtocols : []);
    let baseline = 0;
    let watch: (() => Promise<Error | undefined>) | undefined;
    let received = 0;
    const gitDir = step.sizeLimitedGitDir;
    if (gitDir !== undefined) {
      baseline = await directorySize(gitDir);
      if (baseline > maxRepositoryBytes) throw tooLarge(t, baseline);
      watch = async () => {
        const size = await directorySize(gitDir);
        return size > maxRepositoryBytes ? tooLarge(t, size) : undefined;
      };
    }
    logger.debug({ url: t.display, step: step.what }, 'git');
    const result = await runGit({
      args: [...config, ...step.args],
      cwd: step.cwd,
      env: step.network ? t.netEnv : offlineEnv,
      gitBinary,
      timeoutMs,
      signal,
      stdin: step.stdin,
      what: step.what,
      display: t.display,
      secrets: t.secrets,
      onStdout: step.onStdout,
      watch,
      watchIntervalMs: sizeCheckIntervalMs,
      onStderrLine: (line) => {
        const parsed = step.tracker?.line(line);
        // git counts bytes as they arrive: catches a big transfer between two size checks.
        if (gitDir !== undefined && parsed?.bytes !== undefined && parsed.bytes > received) {
          received = parsed.bytes;
          if (baseline + received > maxRepositoryBytes) throw tooLarge(t, baseline + received);
        }
      },
    });
    if (gitDir !== undefined) {
      const size = await directorySize(gitDir);
      if (size > maxRepositoryBytes) throw tooLarge(t, size);
    }
    return result.stdout.toString('utf8');
  };

  const readMarker = async (dir: string): Promise<Marker | undefined> => {
    try {
      const value = JSON.parse(await readFile(join(dir, '.git', MARKER), 'utf8')) as Partial<Marker>;
      if (typeof value.commit === 'string' && typeof value.defaultBranch === 'string') {
        const url = typeof value.url === 'string' ? { url: value.url } : {};
        return { commit: value.commit, defaultBranch: value.defaultBranch, ...url };
      }
    } catch {
      // missing or unreadable: the working tree is not known to be complete
    }
    return undefined;
  };

  /** A directory is reused only if it is a git repository cloned from this very URL. */
  const usable = async (t: Target, dir: string, signal: AbortSignal, marker?: Marker): Promise<boolean> => {
    try {
      await stat(join(dir, '.git'));
    } catch {
      return false;
    }
    if (marker?.url === t.parsed.gitUrl) return true;
    try {
      const origin = await git(t, signal, {
        args: ['config', '--get', 'remote.origin.url'],
        cwd: dir,
        what: 'config',
        network: false,
      });
      return origin.trim() === t.parsed.gitUrl;
    } catch (error: unknown) {
      if (signal.aborted) throw error;
      return false;
    }
  };

  const headOf = async (t: Target, dir: string, signal: AbortSignal, ref = 'HEAD'): Promise<string> =>
    (
      await git(t, signal, {
        args: ['rev-parse', '--verify', '--end-of-options', `${ref}^{commit}`],
        cwd: dir,
        what: 'rev-parse',
        network: false,
      })
    ).trim();

  const hasCommit = async (t: Target, dir: string, commit: string, signal: AbortSignal): Promise<boolean> => {
    try {
      // Offline: in a partial clone a missing object would otherwise be fetched right here.
      await git(t, signal, {
        args: ['cat-file', '-e', `${commit}^{commit}`],
        cwd: dir,
        what: 'cat-file',
        network: false,
      });
      return true;
    } catch (error: unknown) {
      if (signal.aborted) throw error;
      return false;
    }
  };

  const countFiles = async (t: Target, dir: string, commit: string, signal: AbortSignal): Promise<number> => {
    let count = 0;
    await git(t, signal, {
      args: ['ls-tree', '-r', '-z', '--full-tree', '--name-only', commit],
      cwd: dir,
      what: 'ls-tree',
      network: false,
      onStdout: (chunk) => {
        for (const byte of chunk) if (byte === 0) count++;
        return count > maxFiles
          ? gitError(
              GitErrorCodes.tooManyFiles,
              `${t.parsed.display} has more than ${maxFiles} files at ${commit}; it was not checked out`,
              { url: t.parsed.display, maxFiles, commit },
            )
          : undefined;
      },
    });
    return count;
  };

  /** Brings the working tree of `dir` to `commit`: file limit, blob download, checkout. */
  const materialize = async (
    t: Target,
    dir: string,
    commit: string,
    branch: string | undefined,
    signal: AbortSignal,
    tracker: ProgressTracker,
    { fresh }: { readonly fresh: boolean } = { fresh: false },
  ): Promise<void> => {
    const gitDir = join(dir, '.git');
    await countFiles(t, dir, commit, signal);
    const listing = await git(t, signal, {
      args: ['rev-list', '--objects', '--no-walk', '--missing=print', commit, '--'],
      cwd: dir,
      what: 'rev-list',
      network: false,
    });
    const missing = listing
      .split('\n')
      .filter((line) => line.startsWith('?'))
      .map((line) => line.slice(1).trim());
    tracker.slice(40, 90, 'Receiving objects');
    if (missing.length > 0) {
      // What git's lazy fetch would do blob by blob at checkout, in one request we can watch.
      await git(t, signal, {
        args: [
          '-c',
          'fetch.negotiationAlgorithm=noop',
          'fetch',
          '--progress',
          '--no-tags',
          '--no-write-fetch-head',
          '--recurse-submodules=no',
          '--filter=blob:none',
          '--stdin',
          'origin',
        ],
        cwd: dir,
        what: 'blob fetch',
        network: true,
        stdin: `${missing.join('\n')}\n`,
        tracker,
        sizeLimitedGitDir: gitDir,
      });
    }
    tracker.slice(90, 100, 'Updating files');
    await rm(join(gitDir, MARKER), { force: true });
    const checkout = branch === undefined ? ['--detach', commit] : ['-B', branch, commit];
    await git(t, signal, {
      args: ['checkout', '--force', '--progress', '--no-recurse-submodules', ...checkout, '--'],
      cwd: dir,
      what: 'checkout',
      // Network stays on for stragglers a lazy fetch must get (still limited in size).
      network: true,
      tracker,
      sizeLimitedGitDir: gitDir,
    });
    // A fresh --no-checkout clone has no untracked files to clean.
    if (!fresh) await git(t, signal, { args: ['clean', '-ffdxq'], cwd: dir, what: 'clean', network: false });
    const head = await headOf(t, dir, signal);
    if (head !== commit) {
      throw gitError(GitErrorCodes.failed, `checkout of ${t.parsed.display} ended at ${head}, not ${commit}`);
    }
  };

  const writeMarker = async (dir: string, marker: Marker): Promise<void> => {
    await writeFile(join(dir, '.git', MARKER), `${JSON.stringify(marker)}\n`, 'utf8');
  };

  /** Clones into a fresh temp dir; the caller moves it into place once complete. */
  const cloneFresh = async (
    t: Target,
    signal: AbortSignal,
    tracker: ProgressTracker,
  ): Promise<{ dir: string; commit: string; defaultBranch: string }> => {
    const dir = join(tmpDir, `${t.parsed.directoryName}.${randomBytes(6).toString('hex')}`);
    tracker.slice(0, 40, 'Cloning');
    try {
      await git(t, signal, {
        args: [
          'clone',
          '--progress',
          '--filter=blob:none',
          '--no-checkout',
          '--no-tags',
          '--template=',
          '--',
          t.parsed.gitUrl,
          dir,
        ],
        what: 'clone',
        network: true,
        tracker,
        sizeLimitedGitDir: dir,
      });
      let defaultBranch: string;
      let commit: string;
      try {
        defaultBranch = (
          await git(t, signal, {
            args: ['symbolic-ref', '--short', 'HEAD'],
            cwd: dir,
            what: 'symbolic-ref',
            network: false,
          })
        ).trim();
        commit = await headOf(t, dir, signal);
      } catch (error: unknown) {
        if (signal.aborted) throw error;
        throw gitError(
          GitErrorCodes.notFound,
          `${t.parsed.display} has no commits on its default branch`,
          { url: t.parsed.display },
          error,
        );
      }
      return { dir, commit, defaultBranch };
    } catch (error: unknown) {
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  };

  // Housekeeping by itself: a long-running worker keeps its workspace within the TTL and budget
  // without anyone calling housekeep(). It follows a sync or ensure (each stage gets its checkout
  // so), failed ones too (a full disk fails clones), at most once per interval in this process.
  // A call that ends during a walk, when the interval already allows the next, gets one more walk
  // after it (with interval 0, so every call is followed by a walk). close() stops a walk early
  // and waits for it.
  const autoHousekeepingIntervalMs = options.housekeeping?.intervalMs;
  let lastAutoHousekeeping = Number.NEGATIVE_INFINITY;
  let walking = false;
  let housekeepAgain = false;
  const runAutoHousekeeping = async (): Promise<void> => {
    try {
      do {
        housekeepAgain = false;
        lastAutoHousekeeping = Date.now();
        // Debug lines an operator (and a test) can follow: when walks start and what they removed.
        logger.debug('workspace housekeeping: walk started');
        try {
          const { removed } = await housekeep();
          logger.debug({ removed: removed.length }, 'workspace housekeeping: walk done');
        } catch (error: unknown) {
          logger.warn({ err: error }, 'workspace housekeeping failed');
        }
      } while (housekeepAgain && !closing.signal.aborted);
    } finally {
      // In the same step as the loop's end, so a request arriving now starts a new walk.
      walking = false;
    }
  };
  const housekeepSoon = (): void => {
    if (autoHousekeepingIntervalMs === undefined || closing.signal.aborted) return;
    if (Date.now() - lastAutoHousekeeping < autoHousekeepingIntervalMs) return;
    if (walking) {
      housekeepAgain = true;
      return;
    }
    walking = true;
    const task = runAutoHousekeeping().finally(() => running.delete(task));
    // close() waits for it like for a git command.
    running.add(task);
  };

  /** Runs `work` for one repository: under its lock, counted as running, aborted by close(). */
  const guarded = async <T>(
    t: Target,
    signal: AbortSignal,
    work: (dir: string, signal: AbortSignal) => Promise<T>,
  ): Promise<T> => {
    if (closing.signal.aborted) throw new RepolensError(ErrorCodes.unavailable, 'the git adapter is closed');
    const combined = AbortSignal.any([signal, closing.signal]);
    const name = t.parsed.directoryName;
    const dir = join(reposDir, name);
    const task = (async () => {
      await prepare();
      return locks.withLock(name, combined, async () => {
        await removeTempClones(name);
        const result = await work(dir, combined);
        const now = new Date();
        await utimes(dir, now, now).catch(() => undefined);
        return result;
      });
    })();
    running.add(task);
    try {
      return await task;
    } catch (error: unknown) {
      if (error instanceof RepolensError) {
        logger.warn(
          { url: t.parsed.display, code: error.code, retryable: error.retryable },
          scrub(error.message, t.secrets),
        );
      }
      throw error;
    } finally {
      running.delete(task);
      housekeepSoon();
    }
  };

  /** Temp clones of `name` left by a process that died (we hold its lock, so none is live). */
  const removeTempClones = async (name: string): Promise<void> => {
    const entries = await readdir(tmpDir).catch(() => [] as string[]);
    await Promise.all(
      entries
        .filter((entry) => entry.startsWith(`${name}.`))
        .map((entry) => rm(join(tmpDir, entry), { recursive: true, force: true })),
    );
  };

  const installClone = async (fresh: string, dir: string): Promise<void> => {
    await rm(dir, { recursive: true, force: true });
    await rename(fresh, dir);
  };

  const remoteDefaultBranch = async (t: Target, dir: string, signal: AbortSignal): Promise<string | undefined> => {
    const out = await git(t, signal, {
      args: ['ls-remote', '--symref', 'origin', 'HEAD'],
      cwd: dir,
      what: 'ls-remote',
      network: true,
    });
    const match = /^ref: refs\/heads\/(\S+)\tHEAD$/m.exec(out);
    return match?.[1];
  };

  const fetchBranch = async (
    t: Target,
    dir: string,
    branch: string,
    signal: AbortSignal,
    tracker: ProgressTracker | undefined,
  ): Promise<void> => {
    await git(t, signal, {
      args: [
        'fetch',
        '--progress',
        '--no-tags',
        '--prune',
        '--no-write-fetch-head',
        '--recurse-submodules=no',
        'origin',
        `+refs/heads/${branch}:refs/remotes/origin/${branch}`,
      ],
      cwd: dir,
      what: 'fetch',
      network: true,
      tracker,
      sizeLimitedGitDir: join(dir, '.git'),
    });
  };

  const sync = async (url: string, syncOptions: SyncOptions): Promise<SyncResult> => {
    const t = target(url);
    const tracker = createProgressTracker(syncOptions.onProgress);
    return guarded(t, syncOptions.signal, async (dir, signal) => {
      const marker = await readMarker(dir);
      if (await usable(t, dir, signal, marker)) {
        tracker.slice(0, 5, 'Querying remote');
        const defaultBranch = (await remoteDefaultBranch(t, dir, signal)) ?? marker?.defaultBranch;
        if (defaultBranch === undefined) {
          throw gitError(GitErrorCodes.failed, `${t.parsed.display} does not say what its default branch is`, {
            url: t.parsed.display,
          });
        }
        tracker.slice(5, 40, 'Fetching');
        await fetchBranch(t, dir, defaultBranch, signal, tracker);
        const commit = await headOf(t, dir, signal, `refs/remotes/origin/${defaultBranch}`);
        const head = await headOf(t, dir, signal).catch(() => undefined);
        if (marker?.commit !== commit || marker.defaultBranch !== defaultBranch || head !== commit) {
          await materialize(t, dir, commit, defaultBranch, signal, tracker);
          await writeMarker(dir, { commit, defaultBranch, url: t.parsed.gitUrl });
        }
        tracker.finish();
        logger.info({ url: t.parsed.display, commit, defaultBranch }, 'fetched');
        return { dir, commit, defaultBranch, fetched: true };
      }
      const fresh = await cloneFresh(t, signal, tracker);
      try {
        await materialize(t, fresh.dir, fresh.commit, fresh.defaultBranch, signal, tracker, { fresh: true });
        await writeMarker(fresh.dir, {
          commit: fresh.commit,
          defaultBranch: fresh.defaultBranch,
          url: t.parsed.gitUrl,
        });
        await installClone(fresh.dir, dir);
      } catch (error: unknown) {
        await rm(fresh.dir, { recursive: true, force: true });
        throw error;
      }
      tracker.finish();
      logger.info({ url: t.parsed.display, commit: fresh.commit, defaultBranch: fresh.defaultBranch }, 'cloned');
      return { dir, commit: fresh.commit, defaultBranch: fresh.defaultBranch, fetched: false };
    });
  };

  /** Fetches `commit` into `dir` if missing: the default branch first, then the commit by id. */
  const obtainCommit = async (
    t: Target,
    dir: string,
    commit: string,
    defaultBranch: string,
    signal: AbortSignal,
  ): Promise<void> => {
    if (await hasCommit(t, dir, commit, signal)) return;
    await fetchBranch(t, dir, defaultBranch, signal, undefined);
    if (await hasCommit(t, dir, commit, signal)) return;
    try {
      await git(t, signal, {
        args: ['fetch', '--no-tags', '--no-write-fetch-head', '--recurse-submodules=no', 'origin', commit],
        cwd: dir,
        what: 'fetch of a commit',
        network: true,
        sizeLimitedGitDir: join(dir, '.git'),
      });
    } catch (error: unknown) {
      if (error instanceof RepolensError && error.retryable) throw error;
      if (signal.aborted) throw error;
    }
    if (!(await hasCommit(t, dir, commit, signal))) {
      throw gitError(GitErrorCodes.notFound, `commit ${commit} is not in ${t.parsed.display}`, {
        url: t.parsed.display,
        commit,
      });
    }
  };

  const ensure = async (
    url: string,
    commit: string,
    ensureOptions: { readonly signal: AbortSignal },
  ): Promise<Checkout> => {
    const t = target(url);
    if (!SHA.test(commit)) {
      throw new RepolensError(ErrorCodes.inputInvalid, `"${commit.slice(0, 80)}" is not a full commit SHA`, {
        details: { url: t.parsed.display },
      });
    }
    const tracker = createProgressTracker(undefined);
    return guarded(t, ensureOptions.signal, async (dir, signal) => {
      const marker = await readMarker(dir);
      if (marker?.url === t.parsed.gitUrl && marker.commit === commit) {
        return { dir, commit, defaultBranch: marker.defaultBranch };
      }
      if (await usable(t, dir, signal, marker)) {
        const head = await headOf(t, dir, signal).catch(() => undefined);
        const defaultBranch = marker?.defaultBranch ?? (await remoteDefaultBranch(t, dir, signal)) ?? 'HEAD';
        if (marker?.commit === commit && head === commit) return { dir, commit, defaultBranch };
        await obtainCommit(t, dir, commit, defaultBranch, signal);
        await materialize(t, dir, commit, undefined, signal, tracker);
        await writeMarker(dir, { commit, defaultBranch, url: t.parsed.gitUrl });
        return { dir, commit, defaultBranch };
      }
      const fresh = await cloneFresh(t, signal, tracker);
      try {
        await obtainCommit(t, fresh.dir, commit, fresh.defaultBranch, signal);
        const branch = fresh.commit === commit ? fresh.defaultBranch : undefined;
        await materialize(t, fresh.dir, commit, branch, signal, tracker, { fresh: true });
        await writeMarker(fresh.dir, { commit, defaultBranch: fresh.defaultBranch, url: t.parsed.gitUrl });
        await installClone(fresh.dir, dir);
      } catch (error: unknown) {
        await rm(fresh.dir, { recursive: true, force: true });
        throw error;
      }
      logger.info({ url: t.parsed.display, commit }, 'cloned for ensure');
      return { dir, commit, defaultBranch: fresh.defaultBranch };
    });
  };

  const history = async (checkout: Checkout, historyOptions: HistoryOptions): Promise<readonly CommitRecord[]> => {
    if (!SHA.test(checkout.commit)) {
      throw new RepolensError(ErrorCodes.inputInvalid, `"${checkout.commit.slice(0, 80)}" is not a full commit SHA`);
    }
    const max = historyOptions.maxCommits;
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new RepolensError(ErrorCodes.inputInvalid, `maxCommits must be a positive integer, got ${max}`);
    }
    const command = logCommand(checkout.commit, max);
    const local: RunContext = { display: checkout.dir, netEnv: offlineEnv, secrets: [] };
    // Offline on purpose: a command that needed an old blob fails here rather than fetching it.
    const out = await git(local, historyOptions.signal, {
      args: command.args,
      cwd: checkout.dir,
      what: 'log',
      network: false,
    });
    return command.parse(out);
  };

  const housekeep = async (): Promise<{ removed: string[] }> => {
    await prepare();
    const ttlMs = options.housekeeping?.ttlMs;
    const maxWorkspaceBytes = options.housekeeping?.maxWorkspaceBytes;
    const entries = await readdir(reposDir).catch(() => [] as string[]);
    const infos: Array<{ name: string; lastUsed: number; bytes: number }> = [];
    for (const name of entries) {
      // Stopping early loses nothing: the next walk measures again.
      if (closing.signal.aborted) return { removed: [] };
      const info = await stat(join(reposDir, name)).catch(() => undefined);
      if (info === undefined || !info.isDirectory()) continue;
      infos.push({ name, lastUsed: info.mtimeMs, bytes: await directorySize(join(reposDir, name)) });
    }
    infos.sort((a, b) => a.lastUsed - b.lastUsed);
    let total = infos.reduce((sum, info) => sum + info.bytes, 0);
    const now = Date.now();
    const removed: string[] = [];
    for (const info of infos) {
      if (closing.signal.aborted) break;
      const expired = ttlMs !== undefined && now - info.lastUsed > ttlMs;
      const overBudget = maxWorkspaceBytes !== undefined && total > maxWorkspaceBytes;
      if (!expired && !overBudget) continue;
      if (locks.busy(info.name)) continue;
      const lock = await locks.tryLock(info.name);
      if (lock === undefined) continue;
      try {
        const dir = join(reposDir, info.name);
        // Measured before the lock: a sync or ensure may have used it since (and a stage be
        // reading it now), or another process removed it.
        const current = await stat(dir).catch(() => undefined);
        if (current === undefined) {
          total -= info.bytes;
          continue;
        }
        if (current.mtimeMs !== info.lastUsed) continue;
        // Out of repos/ in one step: a crash while deleting leaves a temp entry for the sweep
        // below, never a checkout whose marker promises files that are gone.
        const doomed = join(tmpDir, `${info.name}.${randomBytes(6).toString('hex')}`);
        await rename(dir, doomed);
        await rm(doomed, { recursive: true, force: true });
        total -= info.bytes;
        removed.push(dir);
      } finally {
        await lock.release();
      }
    }
    // Temp clones whose owner is gone (the lock is free) are leftovers of a crash.
    for (const entry of await readdir(tmpDir).catch(() => [] as string[])) {
      const name = entry.slice(0, entry.lastIndexOf('.'));
      if (name === '' || locks.busy(name)) continue;
      const lock = await locks.tryLock(name);
      if (lock === undefined) continue;
      try {
        await rm(join(tmpDir, entry), { recursive: true, force: true });
      } finally {
        await lock.release();
      }
    }
    if (removed.length > 0) logger.info({ removed: removed.length }, 'workspace housekeeping');
    return { removed };
  };

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing.abort(new RepolensError(ErrorCodes.unavailable, 'the git adapter is closing'));
      await Promise.allSettled([...running]);
    })();
    return closed;
  };

  return { sync, ensure, history, housekeep, close };
}
