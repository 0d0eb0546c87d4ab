/**
 * Namespaces let several repolens installations (staging and production, or parallel test
 * runs) share one Kafka cluster: every topic and group name gets a prefix on the wire, while
 * code above the bus keeps using the contract's names. An empty prefix is the identity.
 */
import type { BusAdmin, NewTopic, TopicDescription } from '../ports/bus-admin.js';
import type { MessageBus, OutgoingMessage, ReceivedMessage, Subscription } from '../ports/message-bus.js';

export interface Namespace {
  readonly prefix: string;
  toWire(name: string): string;
  fromWire(name: string): string;
}

export function createNamespace(prefix: string): Namespace {
  if (!/^[A-Za-z0-9._-]*$/.test(prefix)) {
    throw new RangeError(`topic prefix may only contain letters, digits, '.', '_' and '-', got "${prefix}"`);
  }
  return {
    prefix,
    toWire: (name) => `${prefix}${name}`,
    fromWire: (name) => (name.startsWith(prefix) ? name.slice(prefix.length) : name),
  };
}

function unwrap(ns: Namespace, message: ReceivedMessage): ReceivedMessage {
  return { ...message, topic: ns.fromWire(message.topic) };
}

export function namespacedBus(bus: MessageBus, ns: Namespace): MessageBus {
  if (ns.prefix === '') return bus;
  return {
    produce: (messages: readonly OutgoingMessage[]) =>
      bus.produce(messages.map((m) => ({ ...m, topic: ns.toWire(m.topic) }))),
    subscribe: async (options): Promise<Subscription> => {
      const inner = await bus.subscribe({
        ...options,
        groupId: ns.toWire(options.groupId),
        topics: options.topics.map((t) => ns.toWire(t)),
        handler: (message, context) => options.handler(unwrap(ns, message), context),
      });
      return {
        groupId: options.groupId,
        done: inner.done,
        close: (closeOptions) => inner.close(closeOptions),
        assignments: () =>
          new Map([...inner.assignments()].map(([topic, partitions]) => [ns.fromWire(topic), partitions])),
      };
    },
    close: () => bus.close(),
  };
}

export function namespacedAdmin(admin: BusAdmin, ns: Namespace): BusAdmin {
  if (ns.prefix === '') return admin;
  const wire = (name: string): string => ns.toWire(name);
  const local = (d: TopicDescription): TopicDescription => ({ ...d, name: ns.fromWire(d.name) });
  return {
    brokerCount: () => admin.brokerCount(),
    describeTopics: async (names) => (await admin.describeTopics(names.map(wire))).map(local),
    createTopics: (topics: readonly NewTopic[]) =>
      admin.createTopics(topics.map((t) => ({ ...t, name: wire(t.name) }))),
    alterTopicConfig: (name, config) => admin.alterTopicConfig(wire(name), config),
    increasePartitions: (name, partitions) => admin.increasePartitions(wire(name), partitions),
    endOffsets: (topic) => admin.endOffsets(wire(topic)),
    startOffsets: (topic) => admin.startOffsets(wire(topic)),
    committedOffsets: async (groupId, topics) => {
      const offsets = await admin.committedOffsets(wire(groupId), topics.map(wire));
      return new Map([...offsets].map(([topic, partitions]) => [ns.fromWire(topic), partitions]));
    },
    topicOffsets: async (topics) => {
      const offsets = await admin.topicOffsets(topics.map(wire));
      return new Map([...offsets].map(([topic, partitions]) => [ns.fromWire(topic), partitions]));
    },
    groupOffsets: async (groups) => {
      const offsets = await admin.groupOffsets(
        groups.map(({ groupId, topics }) => ({ groupId: wire(groupId), topics: topics.map(wire) })),
      );
      return new Map(
        [...offsets].map(([groupId, byTopic]) => [
          ns.fromWire(groupId),
          new Map([...byTopic].map(([topic, partitions]) => [ns.fromWire(topic), partitions])),
        ]),
      );
    },
    readMessages: async (topic, options) => (await admin.readMessages(wire(topic), options)).map((m) => unwrap(ns, m)),
    deleteRecordsBefore: (topic, partition, offset) => admin.deleteRecordsBefore(wire(topic), partition, offset),
    close: () => admin.close(),
  };
}
