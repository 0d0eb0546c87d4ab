/**
 * Runs one git command as its own process group (spawned detached, through the spawn server of
 * src/adapters/system/spawn-client.ts), so that a timeout, an abort
 * or a limit kills git together with everything it started (remote helpers, index-pack, ssh).
 * It waits until the group's pipes close before settling, so no git process of ours outlives the
 * call. stderr is fed line by line to the caller (progress) and kept as a bounded tail for error
 * messages; stdout is collected, or streamed to a callback that may stop the command early.
 */
import { killProcessGroup, startProcess } from '../system/spawn-client.js';
import { FAILURE_LEADS, GitErrorCodes, classifyStderr, gitError, stderrSummary } from './errors.js';
import { lineSplitter } from './progress.js';

export interface RunGitOptions {
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env: Record<string, string>;
  readonly gitBinary: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  readonly stdin?: string;
  /** Each stderr line (split at `\r` and `\n`). */
  readonly onStderrLine?: (line: string) => void;
  /** Streams stdout instead of collecting it; return an error to kill the command with it. */
  readonly onStdout?: (chunk: Buffer) => Error | undefined;
  /** Polled every `watchIntervalMs` while git runs; an error kills the command with it. */
  readonly watch?: () => Promise<Error | undefined>;
  readonly watchIntervalMs?: number;
  /** For messages: what this command was doing, and the URL (already safe to show). */
  readonly what: string;
  readonly display: string;
  /** Literal secrets to scrub from anything echoed. */
  readonly secrets: readonly string[];
}

export interface RunGitResult {
  readonly stdout: Buffer;
  readonly stderr: string;
}

const STDERR_TAIL_CHARS = 16_384;
const STDOUT_LIMIT_BYTES = 64 * 1024 * 1024;

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException('the operation was aborted', 'AbortError');
}

/** Runs git; resolves on exit 0, rejects with a classified RepolensError otherwise. */
export async function runGit(options: RunGitOptions): Promise<RunGitResult> {
  if (options.signal.aborted) throw abortReason(options.signal);
  return new Promise<RunGitResult>((resolve, reject) => {
    const child = startProcess({
      file: options.gitBinary,
      args: options.args,
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: options.env,
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    });
    let stderr = '';
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let killedWith: Error | undefined;
    let spawnError: Error | undefined;
    let watching = false;

    const killGroup = (error: Error): void => {
      killedWith ??= error;
      killProcessGroup(child.pid);
    };
    // A kill asked for before the process had a pid takes effect as soon as it has one.
    child.on('spawn', () => {
      if (killedWith !== undefined) killGroup(killedWith);
    });
    const onAbort = (): void => killGroup(abortReason(options.signal));
    options.signal.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(
      () =>
        killGroup(
          gitError(
            GitErrorCodes.timeout,
            `git ${options.what} of ${options.display} took longer than ${options.timeoutMs} ms and was stopped`,
            { url: options.display, timeoutMs: options.timeoutMs },
          ),
        ),
      options.timeoutMs,
    );
    const poller =
      options.watch === undefined
        ? undefined
        : setInterval(() => {
            if (watching || killedWith !== undefined) return;
            watching = true;
            options.watch?.().then(
              (error) => {
                watching = false;
                if (error !== undefined) killGroup(error);
              },
              () => {
                watching = false;
              },
            );
          }, options.watchIntervalMs ?? 200);

    const lines = lineSplitter((line) => options.onStderrLine?.(line));
    child.on('stderr', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
      try {
        lines.push(chunk);
      } catch (error: unknown) {
        killGroup(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.on('stdout', (chunk: Buffer) => {
      if (options.onStdout !== undefined) {
        const error = options.onStdout(chunk);
        if (error !== undefined) killGroup(error);
        return;
      }
      stdoutBytes += chunk.length;
      if (stdoutBytes > STDOUT_LIMIT_BYTES) {
        killGroup(gitError(GitErrorCodes.failed, `git ${options.what} printed more than ${STDOUT_LIMIT_BYTES} bytes`));
        return;
      }
      stdout.push(chunk);
    });
    child.on('error', (error: Error) => {
      spawnError = error;
    });
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      if (poller !== undefined) clearInterval(poller);
      options.signal.removeEventListener('abort', onAbort);
      lines.end();
      if (killedWith !== undefined) {
        reject(killedWith);
        return;
      }
      if (spawnError !== undefined) {
        reject(
          gitError(GitErrorCodes.failed, `could not run ${options.gitBinary}: ${spawnError.message}`, {}, spawnError),
        );
        return;
      }
      if (code === 0) {
        resolve({ stdout: Buffer.concat(stdout), stderr });
        return;
      }
      const summary = stderrSummary(stderr, options.secrets);
      const errorCode = classifyStderr(stderr);
      reject(
        gitError(
          errorCode,
          `${FAILURE_LEADS[errorCode]}: git ${options.what} of ${options.display} failed${signal === null ? ` (exit ${code})` : ` (${signal})`}: ${summary || 'no message'}`,
          { url: options.display, exitCode: code, signal, stderr: summary },
        ),
      );
    });
  });
}
