import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../../src/domain/partitioner.js';

describe('murmur2 partitioner', () => {
  // Vectors from Apache Kafka's UtilsTest.testMurmur2: the Java client must agree with us.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%j) = %i as in Kafka', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  it('agrees with the Kafka client library on random keys', async () => {
    const { murmur2: clientMurmur2 } = await import('@platformatic/kafka');
    for (let i = 0; i < 1000; i++) {
      const key = randomBytes(i % 67);
      expect(murmur2(key) | 0).toBe(clientMurmur2(key) | 0);
    }
  });

  it('maps a key to a stable partition within range', () => {
    const partition = partitionForKey('https://github.com/acme/widgets', 5);
    expect(partition).toBeGreaterThanOrEqual(0);
    expect(partition).toBeLessThan(5);
    expect(partitionForKey(Buffer.from('https://github.com/acme/widgets'), 5)).toBe(partition);
  });
});
