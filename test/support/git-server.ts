/**
 * Real git servers on loopback for tests (INFRA.md "Git servers for tests"): bare repositories
 * built with git plumbing in a temp dir, served over git:// by `git daemon` and over smart HTTP by
 * a Node `http` server that runs `git http-backend` as CGI (optionally behind basic auth), plus a
 * TCP server that accepts connections and never answers (for timeouts). Every server returns
 * `{ url(name), close() }`; `close()` kills every process it started (each runs in its own process
 * group) and closes every socket. Also: throwaway git-cli adapters on temp workspaces, a logger
 * that keeps its lines, and checks on what git left behind (processes, objects).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { createGitCli, type GitCli, type GitCliOptions } from '../../src/adapters/git-cli/index.js';
import type { Logger } from '../../src/ports/logger.js';

/** A clean environment for the test's own git commands: no user or system config. */
function fixtureEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    LC_ALL: 'C',
    ...extra,
  };
}

/** Runs git to completion; rejects with its stderr on a non-zero exit. */
export async function runGit(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; input?: string | Buffer } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: options.cwd,
      env: fixtureEnv(options.env),
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`git ${args.join(' ')} failed (${code}): ${Buffer.concat(err).toString('utf8')}`));
    });
    if (child.stdin !== null) {
      // git may exit before reading all of its input (it failed): that is reported by `close`.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

export interface CommitAuthor {
  readonly name: string;
  readonly email: string;
  /** ISO date; defaults to now. */
  readonly date?: string;
}

export interface CommitOptions {
  readonly message?: string;
  readonly author?: CommitAuthor;
}

/** File contents by path; `null` deletes the path. */
export type FileChanges = Record<string, string | Buffer | null>;

export interface BareRepo {
  readonly name: string;
  /** Absolute path of the bare repository (`<root>/<name>.git`). */
  readonly path: string;
  readonly defaultBranch: string;
  /** SHAs of the commits made through these helpers, oldest first. */
  readonly commits: string[];
}

export interface RepoRoot {
  /** Directory holding `<name>.git` bare repositories: the servers' base path. */
  readonly dir: string;
  createBareRepo(
    name: string,
    files: FileChanges,
    options?: CommitOptions & { defaultBranch?: string },
  ): Promise<BareRepo>;
  /** Adds one commit on the repo's default branch with `files` changed; returns its SHA. */
  commitTo(repo: BareRepo, files: FileChanges, options?: CommitOptions): Promise<string>;
  remove(): Promise<void>;
}

const DEFAULT_AUTHOR: CommitAuthor = { name: 'Test Author', email: 'test@example.com' };

async function commitFiles(repo: BareRepo, files: FileChanges, options: CommitOptions = {}): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'repolens-commit-'));
  try {
    const env = { GIT_DIR: repo.path, GIT_WORK_TREE: scratch, GIT_INDEX_FILE: join(scratch, '.index') };
    const parent = repo.commits.at(-1);
    if (parent !== undefined) await runGit(['read-tree', parent], { env });
    const added: string[] = [];
    const removed: string[] = [];
    for (const [path, content] of Object.entries(files)) {
      if (content === null) {
        removed.push(path);
        continue;
      }
      const target = join(scratch, path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
      added.push(path);
    }
    // Paths go on stdin: a test may add thousands, more than an argv holds.
    if (added.length > 0) {
      await runGit(['update-index', '--add', '-z', '--stdin'], { env, input: added.join('\0') + '\0' });
    }
    if (removed.length > 0) {
      await runGit(['update-index', '--force-remove', '-z', '--stdin'], { env, input: removed.join('\0') + '\0' });
    }
    const tree = (await runGit(['write-tree'], { env })).trim();
    const author = options.author ?? DEFAULT_AUTHOR;
    const date = author.date ?? new Date().toISOString();
    const identity = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
      GIT_COMMITTER_DATE: date,
    };
    const args = ['commit-tree', tree, ...(parent === undefined ? [] : ['-p', parent])];
    const sha = (
      await runGit(args, {
        env: { ...env, ...identity },
        input: options.message ?? `commit ${repo.commits.length + 1}`,
      })
    ).trim();
    await runGit(['update-ref', `refs/heads/${repo.defaultBranch}`, sha], { env });
    repo.commits.push(sha);
    return sha;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A temp dir to build bare repositories in; `remove()` deletes it. */
export async function createRepoRoot(): Promise<RepoRoot> {
  const dir = await mkdtemp(join(tmpdir(), 'repolens-repos-'));
  return {
    dir,
    async createBareRepo(name, files, options = {}) {
      const path = join(dir, `${name}.git`);
      const defaultBranch = options.defaultBranch ?? 'main';
      await runGit(['init', '--bare', '--quiet', `--initial-branch=${defaultBranch}`, path]);
      // Partial clones need the server to honour filters and hand out single blobs on request.
      await runGit(['config', 'uploadpack.allowFilter', 'true'], { cwd: path });
      await runGit(['config', 'uploadpack.allowAnySHA1InWant', 'true'], { cwd: path });
      await runGit(['config', 'http.receivepack', 'false'], { cwd: path });
      const repo: BareRepo = { name, path, defaultBranch, commits: [] };
      await commitFiles(repo, files, options);
      return repo;
    },
    commitTo: commitFiles,
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export interface TestServer {
  url(name: string): string;
  close(): Promise<void>;
}

/** A port that was free a moment ago (for servers that cannot report the port they bound). */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function waitForExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => child.once('close', () => resolve()));
}

export interface GitDaemon extends TestServer {
  /** Fetches and clones served so far (upload-pack requests); counted only with `countRequests`. */
  uploadPacks(): number;
}

/** `git daemon` serving every repository under `root` over git://127.0.0.1:<port>/<name>.git. */
export async function startGitDaemon(root: string, options: { countRequests?: boolean } = {}): Promise<GitDaemon> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const verbose = options.countRequests === true ? ['--verbose'] : [];
    const child = spawn(
      'git',
      [
        'daemon',
        ...verbose,
        '--reuseaddr',
        '--export-all',
        `--base-path=${root}`,
        '--listen=127.0.0.1',
        `--port=${port}`,
        root,
      ],
      { env: fixtureEnv(), stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    let stderr = '';
    let uploadPacks = 0;
    let partialLine = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      const lines = (partialLine + text).split('\n');
      partialLine = lines.pop() ?? '';
      uploadPacks += lines.filter((line) => line.includes('Request upload-pack for')).length;
      // Only the start-up errors are kept: a verbose daemon logs every connection.
      if (stderr.length < 64 * 1024) stderr += text;
    });
    const deadline = Date.now() + 10_000;
    while (child.exitCode === null && !(await canConnect(port)) && Date.now() < deadline) await delay(25);
    if (child.exitCode === null && (await canConnect(port))) {
      return {
        url: (name) => `git://127.0.0.1:${port}/${name}.git`,
        uploadPacks: () => uploadPacks,
        close: async () => {
          killGroup(child);
          await waitForExit(child);
        },
      };
    }
    killGroup(child);
    await waitForExit(child);
    // Another process took the port between freePort() and the daemon's bind: try another.
    if (attempt >= 3) throw new Error(`git daemon did not start: ${stderr}`);
  }
}

export interface HttpGitServerOptions {
  /** Require this basic-auth user and password (401 otherwise). */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Answer a request with this HTTP status instead of serving it (e.g. 503), when it returns one. */
  readonly respondWith?: (request: IncomingMessage) => number | undefined;
  /** Send response bodies at about this many bytes per second (to watch a transfer in flight). */
  readonly bytesPerSecond?: number;
}

export interface HttpGitServer extends TestServer {
  /** Every Authorization header received, to check what a client sent. */
  readonly authorizations: string[];
}

function authorized(request: IncomingMessage, auth: HttpGitServerOptions['auth']): boolean {
  if (auth === undefined) return true;
  const expected = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return request.headers.authorization === expected;
}

/** Writes `chunk` to `response` in pieces, pausing so the rate stays near `bytesPerSecond`. */
async function writeSlowly(response: ServerResponse, chunk: Buffer, bytesPerSecond: number): Promise<void> {
  const piece = Math.max(1024, Math.floor(bytesPerSecond / 20));
  for (let offset = 0; offset < chunk.length; offset += piece) {
    if (response.destroyed) return;
    response.write(chunk.subarray(offset, offset + piece));
    await delay(50);
  }
}

/** Parses the CGI header block of `git http-backend` and streams the rest as the body. */
function serveCgi(child: ChildProcess, response: ServerResponse, bytesPerSecond: number | undefined): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  let queue = Promise.resolve();
  const stdout = child.stdout;
  if (stdout === null) throw new Error('http-backend has no stdout');
  stdout.on('data', (chunk: Buffer) => {
    if (!headersDone) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim();
        const value = line.slice(colon + 1).trim();
        if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
        else response.setHeader(name, value);
      }
      response.writeHead(status);
      chunk = head.subarray(end + 4);
    }
    if (chunk.length === 0) return;
    if (bytesPerSecond === undefined) {
      response.write(chunk);
      return;
    }
    stdout.pause();
    const data = chunk;
    queue = queue.then(async () => {
      await writeSlowly(response, data, bytesPerSecond);
      stdout.resume();
    });
  });
  child.on('close', () => {
    void queue.then(() => {
      if (!headersDone) response.writeHead(500);
      response.end();
    });
  });
}

/** A Node HTTP server running `git http-backend` (smart HTTP) for every repository under `root`. */
export async function startHttpGitServer(root: string, options: HttpGitServerOptions = {}): Promise<HttpGitServer> {
  const children = new Set<ChildProcess>();
  const sockets = new Set<Socket>();
  const authorizations: string[] = [];
  const server = createHttpServer((request, response) => {
    if (request.headers.authorization !== undefined) authorizations.push(request.headers.authorization);
    const forced = options.respondWith?.(request);
    if (forced !== undefined) {
      response.writeHead(forced).end();
      return;
    }
    if (!authorized(request, options.auth)) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"' }).end();
      return;
    }
    const url = new URL(request.url ?? '/', 'http://localhost');
    const env: Record<string, string> = {
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      REQUEST_METHOD: request.method ?? 'GET',
      CONTENT_TYPE: request.headers['content-type'] ?? '',
      REMOTE_ADDR: request.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: options.auth?.username ?? '',
      SERVER_PROTOCOL: 'HTTP/1.1',
    };
    const protocol = request.headers['git-protocol'];
    if (typeof protocol === 'string') env['GIT_PROTOCOL'] = protocol;
    const encoding = request.headers['content-encoding'];
    if (typeof encoding === 'string') env['HTTP_CONTENT_ENCODING'] = encoding;
    const length = request.headers['content-length'];
    if (typeof length === 'string') env['CONTENT_LENGTH'] = length;
    const child = spawn('git', ['http-backend'], { env: fixtureEnv(env), stdio: 'pipe', detached: true });
    children.add(child);
    child.on('close', () => children.delete(child));
    child.on('error', () => response.destroy());
    child.stdin.on('error', () => undefined);
    request.pipe(child.stdin);
    response.on('close', () => killGroup(child));
    serveCgi(child, response, options.bytesPerSecond);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    authorizations,
    url: (name) => `http://127.0.0.1:${port}/${name}.git`,
    close: async () => {
      for (const child of children) killGroup(child);
      for (const socket of sockets) socket.destroy();
      await Promise.all([...children].map(waitForExit));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface HangingServer extends TestServer {
  /** The same address as an http:// URL. */
  httpUrl(name: string): string;
  /** Connections accepted so far. */
  connections(): number;
}

/** Accepts TCP connections and never sends a byte. */
export async function startHangingServer(): Promise<HangingServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createTcpServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (name) => `git://127.0.0.1:${port}/${name}.git`,
    httpUrl: (name) => `http://127.0.0.1:${port}/${name}.git`,
    connections: () => accepted,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Workspaces {
  /** A fresh adapter on a fresh workspace dir. */
  create(options?: Partial<GitCliOptions>): Promise<{ git: GitCli; workspaceDir: string }>;
  closeAll(): Promise<void>;
}

export function workspaces(): Workspaces {
  const opened: Array<{ git: GitCli; dir: string }> = [];
  return {
    async create(options = {}) {
      const workspaceDir = await mkdtemp(join(tmpdir(), 'repolens-ws-'));
      const git = createGitCli({ workspaceDir, path: process.env['PATH'], ...options });
      opened.push({ git, dir: workspaceDir });
      return { git, workspaceDir };
    },
    async closeAll() {
      for (const { git, dir } of opened.splice(0)) {
        await git.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface CapturedLogger extends Logger {
  readonly lines: string[];
}

export function capturingLogger(): CapturedLogger {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log =
      (level: string) =>
      (first: Record<string, unknown> | string, message?: string): void => {
        lines.push(
          JSON.stringify({ level, ...bindings, ...(typeof first === 'string' ? { msg: first } : first), message }),
        );
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return Object.assign(make({}), { lines });
}

/** Processes whose command line mentions `dir` or whose working directory is inside it. */
export async function processesUnder(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => '');
    if (cmdline.includes(dir) || cwd.startsWith(dir)) found.push(`${entry}: ${cmdline.replace(/\0/g, ' ')}`);
  }
  return found;
}

/** Pack files and loose objects of a repository, to see what a command fetched. */
export async function objectCounts(repoDir: string): Promise<{ packs: string[]; inPack: number; loose: number }> {
  const stats = await runGit(['count-objects', '-v'], { cwd: repoDir });
  const value = (key: string): number => Number(new RegExp(`^${key}: (\\d+)$`, 'm').exec(stats)?.[1] ?? NaN);
  const packs = (await readdir(join(repoDir, '.git', 'objects', 'pack'))).filter((name) => name.endsWith('.pack'));
  return { packs: packs.sort(), inPack: value('in-pack'), loose: value('count') };
}

/** Objects reachable from `commit` that the (partial) clone does not have. */
export async function missingObjects(repoDir: string, commit: string): Promise<string[]> {
  const out = await runGit(['-c', 'protocol.allow=never', 'rev-list', '--objects', '--missing=print', commit], {
    cwd: repoDir,
    env: { GIT_ALLOW_PROTOCOL: 'none' },
  });
  return out
    .split('\n')
    .filter((line) => line.startsWith('?'))
    .map((line) => line.slice(1));
}
