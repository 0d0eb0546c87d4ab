/** createKafkaBus: the MessageBus port on Apache Kafka (@platformatic/kafka 1.x). See README.md. */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { MessageBus, OutgoingMessage, SubscribeOptions, Subscription } from '../../ports/message-bus.js';
import { closedError } from './errors.js';
import { resolveBusOptions, type KafkaBusOptions } from './options.js';
import { LaneProducer } from './lane-producer.js';
import { KafkaSubscription } from './subscription.js';

function positiveOrUnset(value: number | undefined): boolean {
  return value === undefined || (Number.isInteger(value) && value >= 1);
}

function checkSubscribeOptions(options: SubscribeOptions): void {
  const problem =
    options.groupId.trim() === ''
      ? 'groupId must not be empty'
      : options.topics.length === 0
        ? 'at least one topic is required'
        : !positiveOrUnset(options.concurrency)
          ? `concurrency must be a positive integer, got ${options.concurrency}`
          : !positiveOrUnset(options.pollWaitMs)
            ? `pollWaitMs must be a positive integer, got ${options.pollWaitMs}`
            : !positiveOrUnset(options.heartbeatIntervalMs)
              ? `heartbeatIntervalMs must be a positive integer, got ${options.heartbeatIntervalMs}`
              : null;
  if (problem !== null) {
    throw new RepolensError(ErrorCodes.inputInvalid, `subscribe: ${problem}`, {
      details: { groupId: options.groupId },
    });
  }
}

export function createKafkaBus(options: KafkaBusOptions): MessageBus {
  const resolved = resolveBusOptions(options);
  const producer = new LaneProducer(resolved);
  const subscriptions = new Set<KafkaSubscription>();
  let closing: Promise<void> | null = null;

  async function subscribe(subscribeOptions: SubscribeOptions): Promise<Subscription> {
    if (closing !== null) throw closedError('subscribe');
    checkSubscribeOptions(subscribeOptions);
    const subscription = await KafkaSubscription.start(resolved, subscribeOptions);
    if (closing !== null) {
      // The bus closed while this member was joining.
      await subscription.close({ graceMs: 0 });
      throw closedError('subscribe');
    }
    subscriptions.add(subscription);
    const forget = (): void => void subscriptions.delete(subscription);
    subscription.done.then(forget, forget);
    return subscription;
  }

  async function closeAll(): Promise<void> {
    await Promise.allSettled([...subscriptions].map((subscription) => subscription.close()));
    await producer.close();
  }

  return {
    produce: (messages: readonly OutgoingMessage[]) => producer.produce(messages),
    subscribe,
    close(): Promise<void> {
      closing ??= closeAll();
      return closing;
    },
  };
}
