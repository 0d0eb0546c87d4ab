/**
 * MessageBus on the in-process broker. Each call is one client, as a separate process would
 * have: its subscriptions are members of their groups, and closing it leaves those groups.
 */
import type {
  MessageBus,
  MessageHeaders,
  OutgoingMessage,
  SubscribeOptions,
  Subscription,
} from '../../ports/message-bus.js';
import type { MemoryBroker } from './broker.js';
import { closedError, invalidArgumentError } from './errors.js';
import { GroupMember } from './group-member.js';
import type { BufferLimits } from './partition-consumer.js';
import { validatePositiveInteger } from './topic.js';

/** The port's default grace period for `close()`. */
export const DEFAULT_CLOSE_GRACE_MS = 10_000;

const LIMITS: BufferLimits = { maxPending: 64, maxWindow: 1024 };

function copyHeaders(topic: string, headers: MessageHeaders | undefined): Readonly<Record<string, string>> {
  const copy: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value !== 'string') {
      throw invalidArgumentError(`header "${name}" of a message for "${topic}" must be a string`, {
        topic,
        header: name,
      });
    }
    copy[name] = value;
  }
  return Object.freeze(copy);
}

function keyBytes(topic: string, key: OutgoingMessage['key']): Buffer | null {
  if (key === null) return null;
  if (typeof key === 'string') return Buffer.from(key, 'utf8');
  if (Buffer.isBuffer(key)) return Buffer.from(key);
  throw invalidArgumentError(`the key of a message for "${topic}" must be a string, a Buffer or null`, { topic });
}

export function createMemoryBus(broker: MemoryBroker): MessageBus {
  const clientId = broker.nextClientId('memory-bus');
  const subscriptions = new Set<GroupMember>();
  let memberSequence = 0;
  let closing: Promise<void> | undefined;

  function ensureOpen(): void {
    if (closing !== undefined) throw closedError(`message bus ${clientId}`);
  }

  return {
    // Appends synchronously: when the promise resolves every message is in its partition log.
    async produce(messages: readonly OutgoingMessage[]): Promise<void> {
      ensureOpen();
      // Check the whole batch before appending any of it.
      const prepared = messages.map((message) => {
        const topic = broker.requireTopic(message.topic);
        if (!Buffer.isBuffer(message.value)) {
          throw invalidArgumentError(`the value of a message for "${message.topic}" must be a Buffer`, {
            topic: message.topic,
          });
        }
        return {
          topic,
          key: keyBytes(message.topic, message.key),
          value: Buffer.from(message.value),
          headers: copyHeaders(message.topic, message.headers),
        };
      });
      for (const { topic, key, value, headers } of prepared) {
        topic.log(topic.partitionFor(key))!.append(key, value, headers);
      }
    },

    async subscribe(options: SubscribeOptions): Promise<Subscription> {
      ensureOpen();
      if (typeof options.groupId !== 'string' || options.groupId === '') {
        throw invalidArgumentError('subscribe needs a non-empty groupId');
      }
      if (options.topics.length === 0) {
        throw invalidArgumentError(`subscribe to group "${options.groupId}" needs at least one topic`, {
          groupId: options.groupId,
        });
      }
      for (const topic of options.topics) broker.requireTopic(topic);
      const concurrency = options.concurrency ?? 1;
      validatePositiveInteger('concurrency', concurrency, { groupId: options.groupId });
      if (typeof options.handler !== 'function') {
        throw invalidArgumentError(`subscribe to group "${options.groupId}" needs a handler function`);
      }

      memberSequence++;
      const coordinator = broker.group(options.groupId);
      const member = new GroupMember({
        memberId: `${clientId}-${memberSequence}`,
        groupId: options.groupId,
        topics: [...new Set(options.topics)],
        handler: options.handler,
        concurrency,
        coordinator,
        log: (topic, partition) => broker.log(topic, partition),
        rebalanceTimeoutMs: broker.rebalanceTimeoutMs,
        defaultGraceMs: DEFAULT_CLOSE_GRACE_MS,
        limits: LIMITS,
      });
      subscriptions.add(member);
      const forget = (): void => void subscriptions.delete(member);
      member.done.then(forget, forget);
      await coordinator.join(member);
      // Only the port's surface: revoke/assign belong to the coordinator.
      return {
        groupId: member.groupId,
        done: member.done,
        assignments: () => member.assignments(),
        close: (closeOptions) => member.close(closeOptions),
      };
    },

    close(): Promise<void> {
      closing ??= Promise.all([...subscriptions].map((s) => s.close())).then(() => undefined);
      return closing;
    },
  };
}
