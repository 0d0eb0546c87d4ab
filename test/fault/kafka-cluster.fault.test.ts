/**
 * Guards the local Kafka tooling (scripts/kafka-cluster.ts, test/global-setup.ts): the cluster the
 * tests get really replicates across three brokers, accepts acks=all writes, and survives a
 * kill -9 of one broker with min.insync.replicas=2.
 */
import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  ProduceAcks,
  Producer,
  stringDeserializers,
  stringSerializers,
  type Admin,
  type ClusterTopicMetadata,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestAdmin,
  kafkaBrokers,
  kafkaFaultsAvailable,
  killBroker,
  liveBrokerIds,
  restartBroker,
  uniqueName,
} from '../support/kafka.js';
import { eventually } from '../support/wait.js';

type StringMessage = Message<string, string, string, string>;

interface Closable {
  close(): Promise<void>;
}

const expectedBrokers = Number(process.env['KAFKA_NODES'] || 3);
const replication = Math.min(3, expectedBrokers);

let admin: Admin;
const openClients: Closable[] = [];
const createdTopics: string[] = [];

function track<T extends Closable>(client: T): T {
  openClients.push(client);
  return client;
}

async function closeClient(client: Closable): Promise<void> {
  openClients.splice(openClients.indexOf(client), 1);
  await client.close();
}

async function createTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  await admin.createTopics({ topics: [topic], partitions: 3, replicas: replication });
  createdTopics.push(topic);
  return topic;
}

async function describeTopic(topic: string): Promise<ClusterTopicMetadata> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const description = metadata.topics.get(topic);
  if (description === undefined) throw new Error(`topic ${topic} is missing from the metadata`);
  return description;
}

/** Until every partition has a leader and `isrSize` in-sync replicas. */
async function waitForIsr(topic: string, isrSize: number): Promise<ClusterTopicMetadata> {
  let description: ClusterTopicMetadata | undefined;
  await eventually(
    `every partition of ${topic} to have ${isrSize} in-sync replicas`,
    async () => {
      // Right after creation, or while a leader moves, the metadata may not know the topic yet.
      description = await describeTopic(topic).catch(() => undefined);
      return description?.partitions.every((p) => p.leader >= 0 && p.isr.length === isrSize) ?? false;
    },
    60_000,
    500,
  );
  if (description === undefined) throw new Error(`no metadata for ${topic}`);
  return description;
}

async function produce(topic: string, key: string, value: string): Promise<void> {
  const producer = track(
    new Producer({
      clientId: uniqueName('test-producer'),
      bootstrapBrokers: kafkaBrokers(),
      serializers: stringSerializers,
      acks: ProduceAcks.ALL,
      idempotent: true,
    }),
  );
  try {
    const result = await producer.send({ messages: [{ topic, key, value }] });
    expect(result.offsets?.length).toBe(1);
  } finally {
    await closeClient(producer);
  }
}

function nextMessage(
  stream: MessagesStream<string, string, string, string>,
  matches: (message: StringMessage) => boolean,
  timeoutMs = 45_000,
): Promise<StringMessage> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => finish(new Error(`no matching message within ${timeoutMs} ms`)), timeoutMs);
    const onData = (message: StringMessage): void => {
      if (matches(message)) finish(undefined, message);
    };
    const onError = (error: Error): void => finish(error);
    function finish(error: Error | undefined, message?: StringMessage): void {
      clearTimeout(timer);
      stream.off('data', onData);
      stream.off('error', onError);
      if (message === undefined) reject(error ?? new Error('stream ended'));
      else resolvePromise(message);
    }
    stream.on('data', onData);
    stream.once('error', onError);
  });
}

/** Reads the topic as a fresh group and commits after "processing", as the services must. */
async function consumeOne(topic: string, key: string): Promise<StringMessage> {
  const consumer = track(
    new Consumer({
      groupId: uniqueName('test-group'),
      clientId: uniqueName('test-consumer'),
      bootstrapBrokers: kafkaBrokers(),
      deserializers: stringDeserializers,
    }),
  );
  try {
    const stream = await consumer.consume({
      topics: [topic],
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false,
    });
    try {
      const message = await nextMessage(stream, (m) => m.key === key);
      await message.commit();
      return message;
    } finally {
      await stream.close();
    }
  } finally {
    await closeClient(consumer);
  }
}

async function roundTrip(topic: string, label: string): Promise<void> {
  const key = uniqueName(label);
  const value = JSON.stringify({ label, at: Date.now() });
  await produce(topic, key, value);
  const message = await consumeOne(topic, key);
  expect(message.value).toBe(value);
}

beforeAll(() => {
  admin = track(createTestAdmin());
});

afterAll(async () => {
  if (createdTopics.length > 0) {
    await admin.deleteTopics({ topics: createdTopics }).catch(() => {});
  }
  await Promise.allSettled([...openClients].map((client) => client.close()));
});

describe('local Kafka cluster', () => {
  it('registers every broker', async () => {
    const ids = await liveBrokerIds(admin);
    expect(ids).toHaveLength(expectedBrokers);
  });

  it('replicates each partition on every broker and round-trips an acks=all message', async () => {
    const topic = await createTopic('cluster-round-trip');
    const description = await waitForIsr(topic, replication);

    expect(description.partitionsCount).toBe(3);
    for (const partition of description.partitions) {
      expect(new Set(partition.replicas).size).toBe(replication);
    }
    await roundTrip(topic, 'all-brokers');
  });

  const canKill = kafkaFaultsAvailable() && expectedBrokers >= 3;

  it.skipIf(!canKill)('keeps working with two brokers after a kill -9, and takes the third back', async () => {
    const topic = await createTopic('cluster-broker-kill');
    const before = await waitForIsr(topic, 3);
    // Killing a partition leader exercises leader election, not just follower loss.
    const victim = before.partitions[0]?.leader;
    if (victim === undefined) throw new Error('partition 0 has no leader');

    let killed = false;
    try {
      killed = true;
      await killBroker(victim);
      expect(await liveBrokerIds(admin)).not.toContain(victim);
      const degraded = await waitForIsr(topic, 2);
      for (const partition of degraded.partitions) {
        expect(partition.leader).not.toBe(victim);
        expect(partition.isr).not.toContain(victim);
      }
      await roundTrip(topic, 'two-brokers');

      await restartBroker(victim);
      killed = false;
      expect(await liveBrokerIds(admin)).toContain(victim);
      const healed = await waitForIsr(topic, 3);
      for (const partition of healed.partitions) expect(partition.isr).toContain(victim);
      await roundTrip(topic, 'healed');
    } finally {
      // Later tests share this cluster; never leave it a broker short.
      if (killed) await restartBroker(victim);
    }
  });
});
