/**
 * Clock: time and waiting, injected so retry due times can be tested without real minutes.
 * `sleep` resolves after `ms` or rejects with the signal's reason when aborted first; it never
 * busy-waits.
 */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
