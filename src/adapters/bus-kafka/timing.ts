/** Timers that never keep a closing process alive longer than the work they wait for. */
import { setTimeout as delay } from 'node:timers/promises';

/** Waits for `promise` or `ms`, whichever comes first; the timer is cleared either way. */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  try {
    await Promise.race([promise, delay(ms, undefined, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}

/** Sleeps `ms` unless `signal` aborts first; never rejects. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted
  }
}
