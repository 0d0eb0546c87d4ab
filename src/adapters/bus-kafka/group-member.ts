/**
 * The group member of a subscription: a @platformatic/kafka Consumer used only for the group
 * protocol (join/sync/heartbeat/leave, classic protocol, round-robin assignor) and for offsets
 * (committed offsets, commits). It never opens a MessagesStream; FetchLoop does the fetching.
 */
import { Base, Consumer, type ConsumerGroupJoinPayload } from '@platformatic/kafka';
import { guardUnknownBrokers } from './client-guards.js';
import { errorBindings, type BusLogger } from './logger.js';
import type { ResolvedKafkaBusOptions } from './options.js';

export type GroupMember = Consumer;

export interface MemberEvents {
  joined(payload: ConsumerGroupJoinPayload): void;
  /** The coordinator started a rebalance; a `joined` with the new assignment follows. */
  rebalancing(): void;
  /** The library stops heartbeating after this (see subscription.ts). */
  heartbeatFailed(error: unknown): void;
  /** The library gave up rejoining the group: this member is no longer part of it. */
  lost(error: unknown): void;
}

export function createGroupMember(
  options: ResolvedKafkaBusOptions,
  groupId: string,
  topics: readonly string[],
  clientId: string,
  events: MemberEvents,
): GroupMember {
  const member = guardUnknownBrokers(
    new Consumer({
      clientId,
      bootstrapBrokers: options.brokers,
      groupId,
      autocommit: false,
      sessionTimeout: options.sessionTimeoutMs,
      heartbeatInterval: options.heartbeatIntervalMs,
      rebalanceTimeout: options.rebalanceTimeoutMs,
      retryDelay: 500,
      metadataMaxAge: options.metadataMaxAgeMs,
    }),
  );
  member.on('consumer:group:join', (payload) => events.joined(payload));
  member.on('consumer:group:rebalance', () => events.rebalancing());
  member.on('consumer:heartbeat:error', (payload) => events.heartbeatFailed(payload.error));
  // Emitted when a rejoin finally failed; without a listener it would crash the process.
  member.on('error', (error: unknown) => events.lost(error));
  // The topics the member subscribes to in JoinGroup (what `consume` would track).
  member.topics.trackAll(...topics);
  return member;
}

/**
 * Leaves the group and closes the member. When leaving fails (coordinator gone) the library keeps
 * the client open; its connections are then closed without leaving, and the coordinator drops
 * the member after the session timeout. `leave: false` skips the LeaveGroup (a replaced member
 * whose id a new client reuses; its heartbeat has already stopped).
 */
export async function closeGroupMember(
  member: GroupMember,
  logger: BusLogger,
  options: { leave: boolean } = { leave: true },
): Promise<void> {
  if (options.leave) {
    try {
      await member.close();
      return;
    } catch (error) {
      logger.warn(errorBindings(error), 'leaving the consumer group failed; closing the connections without leaving');
    }
  }
  try {
    // Base#close: closes the client's connections without the Consumer's LeaveGroup.
    await Base.prototype.close.call(member);
  } catch (closeError) {
    logger.warn(errorBindings(closeError), 'closing the group member failed');
  }
}
