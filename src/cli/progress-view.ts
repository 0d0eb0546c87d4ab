/**
 * What `repolens analyze` shows while it works. On a terminal: one live line per repository
 * with its stage and percentage, redrawn in place (the composition root supplies the redraw,
 * log-update on stderr). Otherwise: a plain line whenever a repository enters a stage, finishes
 * or fails, so logs stay readable; `--verbose` prints every status message.
 */
import type { TrackedRepository } from '../runtime/repository-tracker.js';

export interface LiveOutput {
  /** Replaces the previous frame with `frame`. */
  update(frame: string): void;
  /** Leaves the last frame on screen. */
  done(): void;
}

export interface ProgressView {
  update(state: TrackedRepository): void;
  /** A line that is not about a repository (e.g. an input that was rejected). */
  note(text: string): void;
  stop(): void;
}

export interface ProgressViewOptions {
  /** Present when stderr is a terminal. */
  readonly live?: LiveOutput;
  /** Plain-line output (stderr). */
  readonly write: (text: string) => void;
  readonly verbose: boolean;
  readonly urls: readonly string[];
}

const STAGE_LABEL: Record<string, string> = {
  cloning: 'cloning',
  file_selection: 'selecting files',
  rag_loaded: 'loading RAG index',
  analyzed: 'analysing',
};

function describe(state: TrackedRepository): string {
  const { message } = state;
  if (state.failed) return `failed in ${STAGE_LABEL[message.status] ?? message.status}: ${message.details.error ?? ''}`;
  if (state.finished) return 'analysed';
  return `${STAGE_LABEL[message.status] ?? message.status} ${Math.floor(message.details.progress)}%`;
}

const STAGES = ['cloning', 'file_selection', 'rag_loaded', 'analyzed'];

/** `2/4` for the second stage; `4/4` once analysed. */
function stageCounter(state: TrackedRepository | undefined): string {
  if (state === undefined) return '0/4';
  return `${STAGES.indexOf(state.message.status) + 1}/4`;
}

export function createProgressView(options: ProgressViewOptions): ProgressView {
  const states = new Map<string, TrackedRepository>();
  const notes: string[] = [];
  const lastPlain = new Map<string, string>();

  const frame = (): string =>
    [
      ...notes,
      ...options.urls.map((url) => {
        const state = states.get(url);
        return `${stageCounter(state)} ${url}  ${state === undefined ? 'waiting' : describe(state)}`;
      }),
    ].join('\n');

  return {
    update: (state) => {
      states.set(state.url, state);
      if (options.live !== undefined) {
        options.live.update(frame());
        return;
      }
      const { message } = state;
      const key = `${message.status}:${state.failed}:${state.finished}`;
      const stageBoundary = message.details.progress === 0 || message.details.progress >= 100;
      if (options.verbose || (stageBoundary && lastPlain.get(state.url) !== key)) {
        lastPlain.set(state.url, key);
        const duration = message.details.progress >= 100 ? ` (${message.details.stage_duration} ms)` : '';
        options.write(`${message.timestamp} ${state.url} ${describe(state)}${duration}\n`);
      }
    },
    note: (text) => {
      if (options.live !== undefined) {
        notes.push(text);
        options.live.update(frame());
      } else {
        options.write(`${text}\n`);
      }
    },
    stop: () => options.live?.done(),
  };
}
