/**
 * Turns git's `--progress` output (lines separated by `\r` or `\n`, such as
 * `Receiving objects:  45% (9/20), 1.20 MiB | 2.00 MiB/s`) into one 0-100 percent over a whole
 * sync. A sync runs several git commands (clone or fetch, blob download, checkout); each gets a
 * slice of 0-100, and within a slice git's phases get sub-slices (the server counting and
 * compressing, then receiving, then resolving deltas). The reported percent never goes back and
 * callbacks are throttled to a few per second.
 */
import type { SyncProgress } from '../../ports/git.js';

export interface ProgressLine {
  readonly phase: string;
  readonly percent: number;
  /** Bytes received so far in this command, when git printed them. */
  readonly bytes: number | undefined;
}

const LINE = /^(?:remote: )?([A-Za-z][A-Za-z ]*?):\s+(\d{1,3})% \(\d+\/\d+\)(?:,\s+([\d.]+) (bytes|KiB|MiB|GiB))?/;
const UNIT: Readonly<Record<string, number>> = { bytes: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function parseProgressLine(line: string): ProgressLine | undefined {
  const match = LINE.exec(line.trim());
  if (match === null) return undefined;
  const amount = match[3];
  const unit = match[4];
  return {
    phase: match[1] as string,
    percent: Math.min(100, Number(match[2])),
    bytes: amount === undefined || unit === undefined ? undefined : Math.round(Number(amount) * (UNIT[unit] ?? 1)),
  };
}

/** Where each phase sits inside its command's slice (fractions of the slice). */
const PHASES: Readonly<Record<string, readonly [number, number]>> = {
  'Enumerating objects': [0, 0.02],
  'Counting objects': [0, 0.05],
  'Compressing objects': [0.05, 0.1],
  'Receiving objects': [0.1, 0.9],
  'Resolving deltas': [0.9, 1],
  'Updating files': [0, 1],
  'Checking out files': [0, 1],
};

/** Splits a byte stream into the lines git separates with `\r` or `\n`. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; end(): void } {
  let pending = '';
  return {
    push(chunk) {
      pending += chunk.toString('utf8');
      const parts = pending.split(/[\r\n]/);
      pending = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') onLine(part);
    },
    end() {
      if (pending.trim() !== '') onLine(pending);
      pending = '';
    },
  };
}

export interface ProgressTracker {
  /** Starts the next command's slice `[from, to]` of 0-100. */
  slice(from: number, to: number, phase: string): void;
  /** Feeds one line of git's stderr. */
  line(line: string): ProgressLine | undefined;
  /** Reports 100 (once, unthrottled). */
  finish(): void;
}

export function createProgressTracker(
  onProgress: ((progress: SyncProgress) => void) | undefined,
  minIntervalMs = 250,
  now: () => number = Date.now,
): ProgressTracker {
  let from = 0;
  let to = 100;
  let reported = -1;
  let lastAt = -Infinity;
  let finished = false;
  const emit = (percent: number, phase: string, force = false): void => {
    const value = Math.floor(Math.min(100, Math.max(0, percent)));
    if (onProgress === undefined || finished || value <= reported) return;
    const at = now();
    if (!force && at - lastAt < minIntervalMs) return;
    reported = value;
    lastAt = at;
    onProgress({ percent: value, phase });
  };
  return {
    slice(start, end, phase) {
      // Arriving at a slice's start is progress worth showing even if git prints nothing.
      from = start;
      to = end;
      emit(start, phase);
    },
    line(text) {
      const parsed = parseProgressLine(text);
      if (parsed === undefined) return undefined;
      const range = PHASES[parsed.phase];
      if (range !== undefined) {
        const fraction = range[0] + ((range[1] - range[0]) * parsed.percent) / 100;
        emit(from + (to - from) * fraction, parsed.phase);
      }
      return parsed;
    },
    finish() {
      emit(100, 'done', true);
      finished = true;
    },
  };
}
