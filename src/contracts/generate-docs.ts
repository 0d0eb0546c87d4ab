/**
 * Generates the committed contract documents (AsyncAPI 3.0 and one JSON Schema per message)
 * from the code contracts, so the docs can never say something the code does not enforce.
 * A test compares the committed files with this output.
 */
import { z } from 'zod';
import { stringify } from 'yaml';
import { CONSUMER_GROUP_SPECS, retryGroupId } from './consumer-groups.js';
import { DiscoveryMessageSchema } from './discovery-message.js';
import { DLQ_HEADERS, Headers } from './headers.js';
import { ReportSchema } from './report.js';
import { StatusMessageSchema } from './status-message.js';
import { TaskMessageSchema } from './task-message.js';
import {
  DLQ_TOPIC_SPEC,
  MESSAGE_TOPIC_SPECS,
  RETRY_TIERS,
  SEED_REPLICATION_FACTOR,
  TOPIC_MAX_MESSAGE_BYTES,
  Topics,
  retryTopicName,
  type MessageTopic,
  type TopicSpec,
} from './topics.js';

/** Version of the message contract (not of the package): bump when a schema changes. */
export const CONTRACT_VERSION = '1.0.0';

const KAFKA_BINDING_VERSION = '0.5.0';

interface MessageDoc {
  readonly component: string;
  readonly file: string;
  readonly schema: z.ZodType;
}

const MESSAGE_DOCS: Readonly<Record<MessageTopic, MessageDoc>> = {
  [Topics.discovery]: { component: 'DiscoveryMessage', file: 'discovery-message.json', schema: DiscoveryMessageSchema },
  [Topics.tasks]: { component: 'TaskMessage', file: 'task-message.json', schema: TaskMessageSchema },
  [Topics.status]: { component: 'StatusMessage', file: 'status-message.json', schema: StatusMessageSchema },
};

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  // draft-07 is what AsyncAPI 3.0's default schema format builds on.
  return z.toJSONSchema(schema, { target: 'draft-07' });
}

function withoutDialect(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = schema;
  return rest;
}

function stringHeaders(names: readonly string[], required: readonly string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
    ...(required.length > 0 ? { required: [...required] } : {}),
  };
}

/** Kafka's channel binding: partitions, replicas and retention as `topics ensure` creates them. */
function channelBinding(spec: TopicSpec): Record<string, unknown> {
  return {
    kafka: {
      topic: spec.name,
      partitions: spec.partitions,
      replicas: SEED_REPLICATION_FACTOR,
      topicConfiguration: { 'retention.ms': spec.retentionMs, 'max.message.bytes': TOPIC_MAX_MESSAGE_BYTES },
      bindingVersion: KAFKA_BINDING_VERSION,
    },
  };
}

function channelId(topic: string): string {
  return topic.replace(/[^A-Za-z0-9]+(.)/g, (_match, next: string) => next.toUpperCase());
}

const MESSAGE_HEADERS = [Headers.commit, Headers.defaultBranch, Headers.runId, Headers.traceparent];
const RETRY_HEADERS = [Headers.retryCount, Headers.lastError, Headers.dueAt];

export function buildAsyncApiDocument(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  for (const spec of Object.values(MESSAGE_TOPIC_SPECS)) {
    const topic = spec.name as MessageTopic;
    const doc = MESSAGE_DOCS[topic];
    const id = channelId(topic);
    messages[doc.component] = {
      name: doc.component,
      title: doc.component,
      summary: spec.purpose,
      contentType: 'application/json',
      headers: stringHeaders(MESSAGE_HEADERS),
      payload: withoutDialect(jsonSchemaOf(doc.schema)),
      bindings: {
        kafka: {
          key: { type: 'string', description: 'Normalized repository_url' },
          bindingVersion: KAFKA_BINDING_VERSION,
        },
      },
    };
    const messageRef = { $ref: `#/components/messages/${doc.component}` };
    channels[id] = {
      address: topic,
      description: spec.purpose,
      messages: { [doc.component]: messageRef },
      bindings: channelBinding(spec),
    };
    operations[`publish${doc.component}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      messages: [{ $ref: `#/channels/${id}/messages/${doc.component}` }],
    };
    const group = CONSUMER_GROUP_SPECS.find((g) => g.topic === topic);
    if (group !== undefined) {
      operations[`consume${doc.component}`] = {
        action: 'receive',
        summary: `${group.services.join(', ')} (group ${group.groupId})`,
        channel: { $ref: `#/channels/${id}` },
        messages: [{ $ref: `#/channels/${id}/messages/${doc.component}` }],
        bindings: {
          kafka: { groupId: { type: 'string', enum: [group.groupId] }, bindingVersion: KAFKA_BINDING_VERSION },
        },
      };
    }

    for (const tier of RETRY_TIERS) {
      const retryTopic = retryTopicName(topic, tier);
      const retryId = channelId(retryTopic);
      const retryComponent = `${doc.component}Retry`;
      messages[retryComponent] ??= {
        name: retryComponent,
        title: `${doc.component} (retry)`,
        summary: `A ${doc.component} waiting for its due time in a retry tier`,
        contentType: 'application/json',
        headers: stringHeaders([...MESSAGE_HEADERS, ...RETRY_HEADERS], [Headers.dueAt]),
        payload: withoutDialect(jsonSchemaOf(doc.schema)),
      };
      channels[retryId] = {
        address: retryTopic,
        description: `Retry tier ${tier.tier}: handled no earlier than ${tier.suffix} (configurable) after the failure`,
        messages: { [retryComponent]: { $ref: `#/components/messages/${retryComponent}` } },
        bindings: channelBinding({ ...spec, name: retryTopic }),
      };
      if (group !== undefined) {
        operations[`consume${doc.component}Retry${tier.suffix}`] = {
          action: 'receive',
          channel: { $ref: `#/channels/${retryId}` },
          messages: [{ $ref: `#/channels/${retryId}/messages/${retryComponent}` }],
          bindings: {
            kafka: {
              groupId: { type: 'string', enum: [retryGroupId(group.groupId, tier)] },
              bindingVersion: KAFKA_BINDING_VERSION,
            },
          },
        };
      }
    }
  }

  messages.DeadLetter = {
    name: 'DeadLetter',
    title: 'DeadLetter',
    summary: 'A message that failed processing: original key and value bytes, untouched',
    headers: stringHeaders(DLQ_HEADERS, DLQ_HEADERS),
    payload: { description: 'The original message value, byte for byte (it may not be valid JSON)' },
  };
  const dlqId = channelId(DLQ_TOPIC_SPEC.name);
  channels[dlqId] = {
    address: DLQ_TOPIC_SPEC.name,
    description: DLQ_TOPIC_SPEC.purpose,
    messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
    bindings: channelBinding(DLQ_TOPIC_SPEC),
  };
  operations.publishDeadLetter = {
    action: 'send',
    channel: { $ref: `#/channels/${dlqId}` },
    messages: [{ $ref: `#/channels/${dlqId}/messages/DeadLetter` }],
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'repolens',
      version: CONTRACT_VERSION,
      description:
        'Kafka topics, messages and consumer groups of repolens, generated from src/contracts ' +
        '(the seed: shared/seed/kafka-message-design.md). Do not edit by hand: run `npm run docs:generate`.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'The development cluster of `npm run kafka:up`',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** Every generated document, keyed by its path relative to the repository root. */
export function generateContractDocs(): Map<string, string> {
  const files = new Map<string, string>();
  files.set('docs/asyncapi.yaml', stringify(buildAsyncApiDocument(), { lineWidth: 0, aliasDuplicateObjects: false }));
  for (const doc of Object.values(MESSAGE_DOCS)) {
    const schema = { $id: `https://repolens.dev/schemas/${doc.file}`, ...jsonSchemaOf(doc.schema) };
    files.set(`docs/schemas/${doc.file}`, `${JSON.stringify(schema, null, 2)}\n`);
  }
  // The analysis report is a stored document, not a message: a JSON Schema of its own.
  const report = { $id: 'https://repolens.dev/schemas/report.schema.json', ...jsonSchemaOf(ReportSchema) };
  files.set('docs/schemas/report.schema.json', `${JSON.stringify(report, null, 2)}\n`);
  return files;
}
