/**
 * Producing a retry or DLQ record must not give up just because the broker blinked: the
 * message's offset is committed only after the hand-off, so we keep trying (with backoff) until
 * it succeeds or the consumer shuts down — then the message stays uncommitted and is redelivered.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;

export async function persistently<T>(
  what: string,
  operation: () => Promise<T>,
  deps: { clock: Clock; logger: Logger; signal: AbortSignal },
): Promise<T> {
  let delayMs = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (deps.signal.aborted) throw error;
      deps.logger.warn({ err: error, attempt, retryInMs: delayMs }, `${what} failed; trying again`);
      await deps.clock.sleep(delayMs, deps.signal);
      delayMs = Math.min(delayMs * 2, MAX_DELAY_MS);
    }
  }
}
