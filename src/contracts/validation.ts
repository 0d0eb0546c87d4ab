/**
 * Validation of messages against the seed's schemas. A producer that builds an invalid message
 * has a bug (throw); a consumer that reads one sends it to the DLQ with the reason.
 */
import type { z } from 'zod';
import { ErrorCodes, RepolensError } from '../domain/errors.js';
import { DiscoveryMessageSchema, type DiscoveryMessage } from './discovery-message.js';
import { StatusMessageSchema, type StatusMessage } from './status-message.js';
import { TaskMessageSchema, type TaskMessage } from './task-message.js';
import { Topics, type MessageTopic } from './topics.js';

export const MESSAGE_SCHEMAS = {
  [Topics.discovery]: DiscoveryMessageSchema,
  [Topics.tasks]: TaskMessageSchema,
  [Topics.status]: StatusMessageSchema,
} as const satisfies Record<MessageTopic, z.ZodType>;

export interface MessageByTopic {
  [Topics.discovery]: DiscoveryMessage;
  [Topics.tasks]: TaskMessage;
  [Topics.status]: StatusMessage;
}

export interface FieldProblem {
  /** Dotted path of the offending field, e.g. `metadata.priority`; `(message)` for the root. */
  readonly field: string;
  readonly problem: string;
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): FieldProblem[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    // Unknown keys are reported on their parent; name each key so the message is actionable.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base === '' ? key : `${base}.${key}`,
        problem: 'is not a field of this message',
      }));
    }
    return [{ field: base === '' ? '(message)' : base, problem: issue.message }];
  });
}

/** Thrown (or sent to the DLQ) when a message does not match its topic's schema. */
export class ContractViolationError extends RepolensError {
  readonly topic: string;
  readonly problems: readonly FieldProblem[];

  constructor(topic: string, problems: readonly FieldProblem[], cause?: unknown) {
    const summary = problems.map((p) => `${p.field}: ${p.problem}`).join('; ');
    super(ErrorCodes.contractInvalid, `invalid ${topic} message: ${summary}`, {
      cause,
      retryable: false,
      details: { topic, problems },
    });
    this.name = 'ContractViolationError';
    this.topic = topic;
    this.problems = problems;
  }
}

/** Returns the message typed for its topic, or throws ContractViolationError naming each field. */
export function validateMessage<T extends MessageTopic>(topic: T, value: unknown): MessageByTopic[T] {
  const result = MESSAGE_SCHEMAS[topic].safeParse(value);
  if (!result.success) {
    throw new ContractViolationError(topic, describeIssues(result.error.issues), result.error);
  }
  return result.data as MessageByTopic[T];
}

/** Parses raw bytes as read from a topic: UTF-8 JSON, then the schema. */
export function decodeMessage<T extends MessageTopic>(topic: T, bytes: Uint8Array): MessageByTopic[T] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ContractViolationError(topic, [{ field: '(message)', problem: `not UTF-8 JSON: ${reason}` }], error);
  }
  return validateMessage(topic, parsed);
}

/** Validates, then serializes: the only way our producers turn a message into bytes. */
export function encodeMessage<T extends MessageTopic>(topic: T, message: MessageByTopic[T]): Buffer {
  return Buffer.from(JSON.stringify(validateMessage(topic, message)), 'utf8');
}
