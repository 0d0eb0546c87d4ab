/**
 * Starts several things at once and returns them all, or none: when one start fails, the ones
 * that started are stopped before the first failure is thrown.
 */
export async function startAll<T>(starts: readonly Promise<T>[], stop: (started: T) => Promise<unknown>): Promise<T[]> {
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await Promise.allSettled(started.map(stop));
    throw failed.reason;
  }
  return started;
}
