/** The seed's consumer groups and what each reads. */
import { Topics, type MessageTopic, type RetryTier } from './topics.js';

export const ConsumerGroups = {
  discovery: 'discovery-consumers',
  tasks: 'task-consumers',
  status: 'status-consumers',
} as const;

export type ConsumerGroupId = (typeof ConsumerGroups)[keyof typeof ConsumerGroups];

export interface ConsumerGroupSpec {
  readonly groupId: ConsumerGroupId;
  readonly topic: MessageTopic;
  readonly services: readonly string[];
}

export const CONSUMER_GROUP_SPECS: readonly ConsumerGroupSpec[] = [
  { groupId: ConsumerGroups.discovery, topic: Topics.discovery, services: ['Git Cloning Service'] },
  {
    groupId: ConsumerGroups.tasks,
    topic: Topics.tasks,
    services: ['File Selection Service', 'RAG Loading Service', 'Project Analysis Service'],
  },
  { groupId: ConsumerGroups.status, topic: Topics.status, services: ['Database Service'] },
];

/**
 * A retry tier is read by its own group, so waiting for a due time there never holds back the
 * main topic's partitions or triggers a rebalance of the main group.
 */
export function retryGroupId(groupId: ConsumerGroupId, tier: RetryTier): string {
  return `${groupId}.retry.${tier.suffix}`;
}
