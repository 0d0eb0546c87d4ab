/** Waiting helpers for tests of asynchronous, eventually consistent behaviour. */
import { setTimeout as delay } from 'node:timers/promises';

/** Polls `check` until it returns true; fails with `description` after `timeoutMs`. */
export async function eventually(
  description: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`);
    await delay(intervalMs);
  }
}

/** A promise plus its resolve function, for handlers a test releases by hand. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}
