/**
 * Starts commands (git) through the spawn server (spawn-server.mjs), a small child process whose
 * forks are cheap, instead of forking this process: a fork copies the page tables of all our
 * memory, which in a busy worker cost 10-30 ms of the main thread per command (measured with
 * `--cpu-prof` in bench:pipeline). One server per process, started on first use, not keeping the
 * process alive while idle; if it cannot be started, commands are spawned directly.
 *
 * A started command runs detached as its own process group either way, and its pid is the group
 * id, so the caller kills it with `process.kill(-pid)` as before. If the server dies, the
 * commands in flight are killed and fail; the next command starts a new server.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface ProcessRequest {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: Record<string, string>;
  /** Written to stdin, which is then closed; without it stdin is /dev/null. */
  readonly stdin?: string;
}

/**
 * A started command. Events: `spawn` (pid known), `stdout` and `stderr` (Buffer chunks),
 * `error` (could not start, or the server died), `close` (code, signal) exactly once, last.
 */
export class StartedProcess extends EventEmitter {
  pid: number | undefined;
}

const SERVER_PATH = fileURLToPath(new URL('./spawn-server.mjs', import.meta.url));

type ServerMessage =
  | { type: 'spawned'; id: number; pid: number }
  | { type: 'stdout' | 'stderr'; id: number; data: Uint8Array }
  | { type: 'error'; id: number; message: string; code?: string }
  | { type: 'close'; id: number; code: number | null; signal: NodeJS.Signals | null };

/** SIGKILL to the process group `pid` leads (a started command and all it started); no-op when gone. */
export function killProcessGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

class SpawnServer {
  readonly #path: string;
  #child: ChildProcess | undefined;
  readonly #inFlight = new Map<number, StartedProcess>();
  #nextId = 1;
  /** Whether the current server has sent anything, and how many in a row exited before that. */
  #answered = false;
  #silentExits = 0;

  constructor(path: string) {
    this.#path = path;
  }

  start(request: ProcessRequest): StartedProcess | undefined {
    const server = this.#server();
    if (server === undefined) return undefined;
    const id = this.#nextId++;
    const started = new StartedProcess();
    this.#inFlight.set(id, started);
    this.#hold(server);
    try {
      server.send({
        type: 'spawn',
        id,
        file: request.file,
        args: request.args,
        cwd: request.cwd ?? null,
        env: request.env,
        stdin: request.stdin ?? null,
      });
    } catch {
      // The channel closed under us (the server is exiting): this command starts directly.
      this.#inFlight.delete(id);
      if (this.#child === server) this.#child = undefined;
      return undefined;
    }
    return started;
  }

  #server(): ChildProcess | undefined {
    if (this.#child !== undefined) return this.#child;
    // A server that keeps dying before it answers anything is broken here: spawn directly.
    if (this.#silentExits >= 2 || !existsSync(this.#path)) return undefined;
    let child: ChildProcess;
    try {
      // No inherited --import/--loader flags: the server is plain JavaScript.
      child = fork(this.#path, [], {
        execArgv: [],
        serialization: 'advanced',
        stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      });
    } catch {
      return undefined;
    }
    child.on('message', (message: ServerMessage) => this.#onMessage(message));
    child.once('exit', () => this.#onExit(child));
    child.on('error', () => undefined);
    this.#child = child;
    this.#answered = false;
    return child;
  }

  /** The IPC channel keeps this process alive only while commands are in flight. */
  #hold(server: ChildProcess): void {
    server.ref();
    server.channel?.ref();
  }

  #release(server: ChildProcess): void {
    if (this.#inFlight.size > 0) return;
    server.unref();
    server.channel?.unref();
  }

  #onMessage(message: ServerMessage): void {
    this.#answered = true;
    this.#silentExits = 0;
    const started = this.#inFlight.get(message.id);
    if (started === undefined) return;
    switch (message.type) {
      case 'spawned':
        started.pid = message.pid;
        started.emit('spawn');
        break;
      case 'stdout':
      case 'stderr':
        started.emit(message.type, Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength));
        break;
      case 'error':
        started.emit('error', Object.assign(new Error(message.message), { code: message.code }));
        break;
      case 'close':
        this.#inFlight.delete(message.id);
        started.emit('close', message.code, message.signal);
        if (this.#child !== undefined) this.#release(this.#child);
        break;
    }
  }

  #onExit(child: ChildProcess): void {
    if (this.#child === child) {
      this.#child = undefined;
      if (!this.#answered) this.#silentExits++;
    }
    const orphans = [...this.#inFlight.values()];
    this.#inFlight.clear();
    for (const started of orphans) {
      killProcessGroup(started.pid);
      started.emit('error', new Error('the spawn server exited while the command ran'));
      started.emit('close', null, 'SIGKILL');
    }
  }
}

/** Direct spawn, the same events: the fallback when no server can run. */
function spawnDirectly(request: ProcessRequest): StartedProcess {
  const started = new StartedProcess();
  const child = spawn(request.file, [...request.args], {
    cwd: request.cwd,
    env: request.env,
    stdio: [request.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  started.pid = child.pid;
  child.on('spawn', () => started.emit('spawn'));
  child.stdout?.on('data', (chunk: Buffer) => started.emit('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => started.emit('stderr', chunk));
  if (child.stdin !== null) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(request.stdin);
  }
  child.on('error', (error) => started.emit('error', error));
  child.on('close', (code, signal) => started.emit('close', code, signal));
  return started;
}

/** A `startProcess` with a spawn server of its own, run from `serverPath` (tests use broken ones). */
export function createProcessStarter(serverPath: string): (request: ProcessRequest) => StartedProcess {
  const server = new SpawnServer(serverPath);
  return (request) => server.start(request) ?? spawnDirectly(request);
}

/** Starts `request` as its own process group, through the spawn server when it can run. */
export const startProcess: (request: ProcessRequest) => StartedProcess = createProcessStarter(SERVER_PATH);
