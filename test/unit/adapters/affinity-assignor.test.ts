/**
 * The affinity assignor: the same processes get the same partitions in every group, whatever
 * member ids the coordinator made up, and partitions are spread evenly.
 */
import type { ClusterMetadata } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { affinityAssigner, orderMembers } from '../../../src/adapters/bus-kafka/affinity-assignor.js';

function metadata(topics: Record<string, number>): ClusterMetadata {
  return {
    topics: new Map(Object.entries(topics).map(([name, partitionsCount]) => [name, { partitionsCount }])),
  } as unknown as ClusterMetadata;
}

/** A group's members as the leader sees them: member id → subscription with the instance id. */
function group(members: [memberId: string, instanceId: string | undefined][]) {
  return new Map(
    members.map(([memberId, instanceId]) => [
      memberId,
      {
        memberId,
        version: 1,
        topics: ['tasks'],
        metadata: instanceId === undefined ? undefined : Buffer.from(instanceId),
      },
    ]),
  );
}

/** instance id → partitions of `topic`. */
function byInstance(
  members: ReturnType<typeof group>,
  assignment: ReturnType<typeof affinityAssigner>,
  topic: string,
): Map<string, number[]> {
  return new Map(
    assignment.map((entry) => [
      members.get(entry.memberId)?.metadata?.toString() ?? entry.memberId,
      entry.assignments.get(topic)?.partitions ?? [],
    ]),
  );
}

describe('affinity assignor', () => {
  it('gives each process the same partitions in every group, whatever the member ids and their order', () => {
    const cluster = metadata({ tasks: 5 });
    // Member ids differ per group and so does the order the coordinator lists them in.
    const selection = group([
      ['repolens-select-z9', 'worker-b'],
      ['repolens-select-a1', 'worker-a'],
    ]);
    const rag = group([
      ['repolens-rag-00', 'worker-a'],
      ['repolens-rag-ff', 'worker-b'],
    ]);
    const fromSelection = byInstance(selection, affinityAssigner('x', selection, new Set(['tasks']), cluster), 'tasks');
    const fromRag = byInstance(rag, affinityAssigner('x', rag, new Set(['tasks']), cluster), 'tasks');
    expect(fromSelection).toEqual(fromRag);
    expect(fromSelection.get('worker-a')).toEqual([0, 2, 4]);
    expect(fromSelection.get('worker-b')).toEqual([1, 3]);
  });

  it('assigns every partition of every topic exactly once, spread evenly', () => {
    const members = group([
      ['m1', 'c'],
      ['m2', 'a'],
      ['m3', 'b'],
    ]);
    const assignment = affinityAssigner(
      'm1',
      members,
      new Set(['tasks', 'discovery']),
      metadata({ tasks: 5, discovery: 3 }),
    );
    for (const [topic, count] of [
      ['tasks', 5],
      ['discovery', 3],
    ] as const) {
      const all = assignment.flatMap((entry) => entry.assignments.get(topic)?.partitions ?? []).sort();
      expect(all).toEqual(Array.from({ length: count }, (_, i) => i));
      const sizes = assignment.map((entry) => entry.assignments.get(topic)?.partitions.length ?? 0);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });

  it('orders members without an instance id (an older repolens) after the others, by member id', () => {
    const ordered = orderMembers([
      { memberId: 'z', metadata: undefined },
      { memberId: 'b', metadata: Buffer.from('beta') },
      { memberId: 'y', metadata: Buffer.alloc(0) },
      { memberId: 'a', metadata: 'alpha' },
    ]);
    expect(ordered.map((member) => member.memberId)).toEqual(['a', 'b', 'y', 'z']);
  });
});
