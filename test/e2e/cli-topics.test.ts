import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('repolens topics plan', () => {
  it('prints the seed plan as JSON without a broker', async () => {
    const result = await runCli(['topics', 'plan', '--json']);
    expect(result.code).toBe(0);
    const plan = JSON.parse(result.stdout) as {
      name: string;
      partitions: number;
      replication_factor: number;
      config: Record<string, string>;
    }[];
    expect(plan.slice(0, 4)).toEqual([
      {
        name: 'repository.discovery',
        partitions: 3,
        replication_factor: 3,
        config: { 'retention.ms': '604800000', 'min.insync.replicas': '2', 'max.message.bytes': '4194304' },
      },
      {
        name: 'repository.tasks',
        partitions: 5,
        replication_factor: 3,
        config: { 'retention.ms': '1209600000', 'min.insync.replicas': '2', 'max.message.bytes': '4194304' },
      },
      {
        name: 'repository.status',
        partitions: 3,
        replication_factor: 3,
        config: { 'retention.ms': '2592000000', 'min.insync.replicas': '2', 'max.message.bytes': '4194304' },
      },
      {
        name: 'repository.dlq',
        partitions: 5,
        replication_factor: 3,
        config: { 'retention.ms': '2592000000', 'min.insync.replicas': '2', 'max.message.bytes': '4194304' },
      },
    ]);
    expect(plan.map((t) => t.name)).toContain('repository.tasks.retry.15m');
    expect(result.stderr).toBe('');
  });

  it('warns on stderr when planning for fewer than 3 brokers', async () => {
    const result = await runCli(['topics', 'plan', '--json', '--broker-count', '1']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/warning: replication factor 1/);
    expect(JSON.parse(result.stdout)).toHaveLength(13);
  });

  it('rejects a bad flag value with an error naming the flag', async () => {
    const result = await runCli(['topics', 'plan', '--broker-count', 'three']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--broker-count must be a positive integer, got "three"/);
  });
});
