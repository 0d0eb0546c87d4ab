/**
 * The spawn server: commands start from a small child process instead of forking this one, with
 * the same behaviour (stdin, output, exit codes, start errors, process groups), and a server that
 * dies takes its commands with it without leaving processes behind; the next command works.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createProcessStarter,
  startProcess,
  type ProcessRequest,
  type StartedProcess,
} from '../../src/adapters/system/spawn-client.js';
import { eventually } from '../support/wait.js';

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly errors: string[];
}

function run(
  request: Omit<ProcessRequest, 'env'>,
  onStarted?: (started: StartedProcess) => void,
  start: (request: ProcessRequest) => StartedProcess = startProcess,
): Promise<Outcome> {
  const started = start({ env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' }, ...request });
  onStarted?.(started);
  let stdout = '';
  let stderr = '';
  const errors: string[] = [];
  started.on('stdout', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  started.on('stderr', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  started.on('error', (error: Error) => errors.push(error.message));
  return new Promise((resolve) =>
    started.once('close', (code: number | null, signal: NodeJS.Signals | null) =>
      resolve({ code, signal, stdout, stderr, errors }),
    ),
  );
}

/** Parent pid and process group of a live process, from /proc. */
function processInfo(pid: number): { ppid: number; pgrp: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), pgrp: Number(fields[2]) };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('spawn client', () => {
  it('runs commands from the spawn server, each as its own process group, with stdin, output and exit code', async () => {
    let pid: number | undefined;
    let info: { ppid: number; pgrp: number } | undefined;
    const outcome = await run(
      {
        file: 'sh',
        args: ['-c', 'cat; echo err >&2; sleep 0.2; exit 3'],
        stdin: 'from stdin\n',
      },
      (started) =>
        started.once('spawn', () => {
          pid = started.pid;
          info = pid === undefined ? undefined : processInfo(pid);
        }),
    );
    expect(outcome).toMatchObject({ code: 3, signal: null, stdout: 'from stdin\n', stderr: 'err\n', errors: [] });
    expect(pid).toBeDefined();
    // Its own group, and not our child: the spawn server forked it.
    expect(info?.pgrp).toBe(pid);
    expect(info?.ppid).not.toBe(process.pid);
    expect(processInfo(info?.ppid ?? 0)?.ppid).toBe(process.pid);
    // Large outputs arrive whole and in order.
    const big = await run({ file: 'sh', args: ['-c', 'seq 1 200000'] });
    expect(big.stdout.split('\n').length).toBe(200_001);
    expect(big.stdout.endsWith('199999\n200000\n')).toBe(true);
  });

  it('reports a command that cannot start as an error, then close', async () => {
    const outcome = await run({ file: '/nonexistent/repolens-no-such-binary', args: [] });
    expect(outcome.errors.join(' ')).toMatch(/ENOENT/);
    expect(outcome.code).not.toBe(0);
  });

  it('kills the commands of a spawn server that dies, and starts a new server for the next command', async () => {
    let commandPid: number | undefined;
    const pending = run({ file: 'sh', args: ['-c', 'sleep 30 & sleep 30; wait'] }, (started) =>
      started.once('spawn', () => (commandPid = started.pid)),
    );
    await eventually('the command to start', () => commandPid !== undefined, 10_000);
    const serverPid = processInfo(commandPid ?? 0)?.ppid ?? 0;
    expect(serverPid).toBeGreaterThan(1);
    process.kill(serverPid, 'SIGKILL');
    const outcome = await pending;
    expect(outcome.signal).toBe('SIGKILL');
    expect(outcome.errors.join(' ')).toMatch(/spawn server exited/);
    // The whole group went with it (the shell and both sleeps).
    await eventually('the command group to be gone', () => !alive(commandPid ?? 0), 10_000);
    const next = await run({ file: 'sh', args: ['-c', 'echo again'] });
    expect(next).toMatchObject({ code: 0, stdout: 'again\n' });
  });

  it('gives up a spawn server that twice exits before answering, and spawns commands directly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'repolens-broken-spawn-server-'));
    try {
      const broken = join(dir, 'exits-at-once.mjs');
      await writeFile(broken, 'process.exit(3);\n');
      const start = createProcessStarter(broken);
      const parentOf = (info: { pid?: number }): number | undefined => processInfo(info.pid ?? 0)?.ppid;
      // Each of the first two commands went to a server that died under it.
      for (let attempt = 0; attempt < 2; attempt++) {
        const failed = await run({ file: 'sh', args: ['-c', 'echo lost'] }, undefined, start);
        expect(failed.errors.join(' ')).toMatch(/spawn server exited/);
        expect(failed.stdout).toBe('');
      }
      // Then no server is tried any more: the command is this process's own child.
      let parent: number | undefined;
      const direct = await run(
        { file: 'sh', args: ['-c', 'sleep 0.2; echo direct'] },
        (started) => started.once('spawn', () => (parent = parentOf(started))),
        start,
      );
      expect(direct).toMatchObject({ code: 0, stdout: 'direct\n', errors: [] });
      expect(parent).toBe(process.pid);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
