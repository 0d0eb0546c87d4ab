// The spawn server: a small Node process that starts commands for its parent (spawn-client.ts).
//
// Why: starting a process forks the process that asks, and fork copies the page tables of all
// its memory. A repolens worker holding a few hundred MB (grammars, tokenizer tables, buffers)
// spends 10-30 ms of its main thread per git command that way; this server stays small, so its
// forks are cheap, and the worker only exchanges messages with it.
//
// Plain JavaScript on purpose: it is forked without a TypeScript loader and starts in tens of ms.
// Protocol (IPC, advanced serialization so Buffers pass as they are):
//   parent → server  { type: 'spawn', id, file, args, cwd, env, stdin }   (stdin: string or null)
//   server → parent  { type: 'spawned', id, pid } | { type: 'stdout' | 'stderr', id, data }
//                    { type: 'error', id, message, code } | { type: 'close', id, code, signal }
// Each command runs detached, as its own process group, like the parent would have run it: the
// parent kills a group itself (process.kill(-pid)). When the parent goes away, the server kills
// every group it started and exits, so no command outlives both.
import { spawn } from 'node:child_process';

const groups = new Map();

function send(message) {
  // A failed send means the parent is gone: 'disconnect' follows and cleans up.
  if (process.connected) process.send(message, () => undefined);
}

function killAll() {
  for (const pid of groups.values()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.on('message', (message) => {
  if (message === null || typeof message !== 'object' || message.type !== 'spawn') return;
  const { id } = message;
  let child;
  try {
    child = spawn(message.file, message.args, {
      cwd: message.cwd ?? undefined,
      env: message.env,
      stdio: [message.stdin === null ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
  } catch (error) {
    send({ type: 'error', id, message: String(error?.message ?? error), code: error?.code });
    send({ type: 'close', id, code: null, signal: null });
    return;
  }
  if (child.pid !== undefined) {
    groups.set(id, child.pid);
    send({ type: 'spawned', id, pid: child.pid });
  }
  child.stdout.on('data', (data) => send({ type: 'stdout', id, data }));
  child.stderr.on('data', (data) => send({ type: 'stderr', id, data }));
  if (child.stdin !== null) {
    child.stdin.on('error', () => undefined);
    child.stdin.end(message.stdin);
  }
  child.on('error', (error) => send({ type: 'error', id, message: error.message, code: error.code }));
  child.on('close', (code, signal) => {
    groups.delete(id);
    send({ type: 'close', id, code, signal });
  });
});

process.on('disconnect', () => {
  killAll();
  process.exit(0);
});
