import { describe, expect, it } from 'vitest';
import { startAll } from '../../../src/runtime/start-all.js';

describe('startAll', () => {
  it('returns everything started, in order', async () => {
    const stopped: number[] = [];
    const started = await startAll([Promise.resolve(1), Promise.resolve(2)], async (n) => void stopped.push(n));
    expect(started).toEqual([1, 2]);
    expect(stopped).toEqual([]);
  });

  it('stops what started when one start fails, and throws that failure', async () => {
    const stopped: number[] = [];
    const failure = new Error('join failed');
    const result = startAll([Promise.resolve(1), Promise.reject(failure), Promise.resolve(3)], async (n) => {
      stopped.push(n);
      throw new Error('a failed stop does not hide the start failure');
    });
    await expect(result).rejects.toBe(failure);
    expect(stopped.sort()).toEqual([1, 3]);
  });
});
