/**
 * Partition assignment that keeps one repository on one process through the stages.
 *
 * Every stage triggered from `repository.tasks` (selection, RAG loading, analysis) has its own
 * consumer group, and the tasks are keyed by repository URL, so a repository's tasks are always
 * on the same partition. Kafka's round-robin assignor orders members by the ids the coordinator
 * makes up for them, which differ from group to group: partition 3 may belong to worker A in the
 * selection group and to worker B in the RAG group, and B then has to clone the repository again.
 *
 * Here each member announces its process's instance id in the join metadata (the same id in all
 * the groups it joins), and the group leader orders members by that id and gives partition p of
 * each topic to member p mod n. The same processes in several groups thus get the same
 * partitions, and a repository's stages run where its checkout already is.
 *
 * The classic round-robin protocol is announced second: a group that also has members which do
 * not know this one (an older repolens) agrees on round-robin instead of failing to form. Members
 * without an instance id are ordered by member id, after those with one.
 */
import type { ClusterMetadata, GroupPartitionsAssigner, GroupProtocolSubscription } from '@platformatic/kafka';

export const AFFINITY_PROTOCOL = 'repolens-affinity';

/** The protocols a member announces, preferred first. */
export function affinityProtocols(instanceId: string): GroupProtocolSubscription[] {
  return [
    { name: AFFINITY_PROTOCOL, version: 1, metadata: instanceId },
    { name: 'roundrobin', version: 1 },
  ];
}

interface Member {
  readonly memberId: string;
  readonly metadata?: Buffer | string | null;
}

function instanceIdOf(member: Member): string {
  const { metadata } = member;
  if (metadata === undefined || metadata === null) return '';
  return typeof metadata === 'string' ? metadata : metadata.toString('utf8');
}

/** Members in a group-independent order: by instance id, then (for the rest) by member id. */
export function orderMembers<T extends Member>(members: Iterable<T>): T[] {
  return [...members].sort((a, b) => {
    const ia = instanceIdOf(a);
    const ib = instanceIdOf(b);
    if (ia !== ib) {
      if (ia === '') return 1;
      if (ib === '') return -1;
      return ia < ib ? -1 : 1;
    }
    return a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0;
  });
}

export const affinityAssigner: GroupPartitionsAssigner = (_current, members, topics, metadata: ClusterMetadata) => {
  const ordered = orderMembers(members.values());
  const assignments = ordered.map((member) => ({
    memberId: member.memberId,
    assignments: new Map<string, { topic: string; partitions: number[] }>(),
  }));
  if (assignments.length === 0) return assignments;
  for (const topic of topics) {
    const partitionsCount = metadata.topics.get(topic)?.partitionsCount ?? 0;
    for (let partition = 0; partition < partitionsCount; partition++) {
      const owner = assignments[partition % assignments.length];
      if (owner === undefined) continue;
      const entry = owner.assignments.get(topic) ?? { topic, partitions: [] };
      entry.partitions.push(partition);
      owner.assignments.set(topic, entry);
    }
  }
  return assignments;
};
