/**
 * Kill -9 a consumer process in the middle of its work: the messages it had not committed are
 * redelivered to the remaining member, and nothing is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { kafkaBrokers, uniqueName } from '../support/kafka.js';
import { eventually } from '../support/wait.js';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

interface Member {
  readonly child: ChildProcess;
  readonly handled: string[];
  ready: boolean;
}

function startMember(topic: string, groupId: string, handleMs: number): Member {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/consumer-process.ts', kafkaBrokers().join(','), topic, groupId, String(handleMs)],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const member: Member = { child, handled: [], ready: false };
  let buffer = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'ready') member.ready = true;
      else if (line.startsWith('handled ')) member.handled.push(line.slice('handled '.length));
    }
  });
  return member;
}

describe('a consumer process killed with SIGKILL mid-batch', () => {
  const members: Member[] = [];
  afterAll(async () => {
    for (const member of members) if (member.child.exitCode === null) member.child.kill('SIGKILL');
  });

  it('has its uncommitted messages redelivered to the remaining member', async () => {
    const topic = uniqueName('fault-consumer-kill');
    const groupId = uniqueName('fault-group');
    const admin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('fault-admin') });
    const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName('fault-producer') });
    try {
      await admin.createTopics([{ name: topic, partitions: 5, replicationFactor: 3, config: {} }]);
      const total = 3_000;
      const values = Array.from({ length: total }, (_, i) => `msg-${i}`);
      await bus.produce(values.map((value, i) => ({ topic, key: `repo-${i % 50}`, value: Buffer.from(value) })));

      const victim = startMember(topic, groupId, 5);
      const survivor = startMember(topic, groupId, 5);
      members.push(victim, survivor);
      await eventually('both members to be subscribed', () => victim.ready && survivor.ready, 60_000);
      await eventually('the victim to be in the middle of its work', () => victim.handled.length >= 200, 60_000);

      victim.child.kill('SIGKILL');
      await once(victim.child, 'exit');
      const handledByVictim = victim.handled.length;

      await eventually(
        'every message to be handled by someone',
        () => new Set([...victim.handled, ...survivor.handled]).size === total,
        120_000,
        200,
      );
      const all = [...victim.handled, ...survivor.handled];
      const duplicates = all.length - new Set(all).size;
      process.stdout.write(
        `consumer kill -9: ${total} messages, victim handled ${handledByVictim} before dying, ` +
          `survivor ${survivor.handled.length}, duplicates (redelivered after the kill) ${duplicates}\n`,
      );
      expect(new Set(all)).toEqual(new Set(values));
      // The survivor took over the victim's partitions, so it handled more than its own share.
      expect(survivor.handled.length).toBeGreaterThan(total - handledByVictim - 1);
    } finally {
      await bus.close();
      await admin.close();
    }
  }, 240_000);
});
