/**
 * MessageRoute: how a service handles the messages of one topic, as the consumer runtime
 * (src/runtime/message-consumer.ts) runs it. A route says which messages it accepts and handles
 * them; the runtime validates, retries and dead-letters around it. Handlers must be idempotent
 * (delivery is at least once) and should stop when their signal aborts.
 */
import type { ConsumerGroupId } from '../contracts/consumer-groups.js';
import type { MessageTopic } from '../contracts/topics.js';
import type { MessageByTopic } from '../contracts/validation.js';
import type { MessageHeaders, ReceivedMessage } from './message-bus.js';

export interface RouteContext {
  readonly signal: AbortSignal;
  readonly headers: MessageHeaders;
  readonly received: ReceivedMessage;
  /** 1 on the first handling; retries count up from there. */
  readonly attempt: number;
}

export interface GiveUp {
  readonly error: unknown;
  readonly code: string;
  readonly attempt: number;
}

export interface MessageRoute<T extends MessageTopic> {
  /** Service name, recorded in DLQ headers and logs. */
  readonly service: string;
  accepts(message: MessageByTopic[T]): boolean;
  handle(message: MessageByTopic[T], context: RouteContext): Promise<void>;
  /** Told once the message is dead-lettered, so the stage can publish its `failed` task and status. */
  onGiveUp?(message: MessageByTopic[T], giveUp: GiveUp, context: RouteContext): Promise<void>;
}

export interface ConsumerDefinition<T extends MessageTopic> {
  readonly topic: T;
  readonly groupId: ConsumerGroupId;
  readonly routes: readonly MessageRoute<T>[];
  /** Handlers at once on the main topic; default (and on the retry tiers): the runtime's `concurrency`. */
  readonly concurrency?: number;
}
