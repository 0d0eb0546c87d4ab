import { describe, expect, it } from 'vitest';
import {
  ContractViolationError,
  RepositoryStatuses,
  TaskStatuses,
  TaskTypes,
  Topics,
  decodeMessage,
  encodeMessage,
  validateMessage,
  type MessageTopic,
} from '../../../src/contracts/index.js';
import { discoveryExample, statusExample, taskExample } from './examples.js';

/** Asserts that validation fails and that the error names `field`. */
function expectRejected(topic: MessageTopic, value: unknown, field: string): ContractViolationError {
  let caught: unknown;
  try {
    validateMessage(topic, value);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ContractViolationError);
  const violation = caught as ContractViolationError;
  expect(violation.code).toBe('REPOLENS_CONTRACT_INVALID');
  expect(violation.retryable).toBe(false);
  expect(violation.problems.map((p) => p.field)).toContain(field);
  expect(violation.message).toContain(field);
  return violation;
}

function withField<T extends object>(base: T, path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(base) as Record<string, unknown>;
  const keys = path.split('.');
  let target = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = keys.at(-1) as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return copy;
}

describe('seed message examples', () => {
  it('accepts a discovery message with every seed field', () => {
    expect(validateMessage(Topics.discovery, discoveryExample())).toEqual(discoveryExample());
  });

  it.each(TaskTypes.flatMap((type) => TaskStatuses.map((status) => [type, status] as const)))(
    'accepts a %s task with status %s',
    (task_type, status) => {
      const message = { ...taskExample(), task_type, status };
      expect(validateMessage(Topics.tasks, message)).toEqual(message);
    },
  );

  it('accepts a task carrying last_error', () => {
    const message = taskExample();
    message.metadata = { priority: 5, retry_count: 3, last_error: 'connection refused' };
    expect(validateMessage(Topics.tasks, message).metadata.last_error).toBe('connection refused');
  });

  it.each(RepositoryStatuses)('accepts status %s, including an error and fractional progress', (status) => {
    const message = { ...statusExample(), status, details: { stage_duration: 0, progress: 99.5, error: 'x' } };
    expect(validateMessage(Topics.status, message)).toEqual(message);
  });

  it('accepts the bounds of priority and progress', () => {
    expect(validateMessage(Topics.discovery, { ...discoveryExample(), priority: 1 }).priority).toBe(1);
    expect(validateMessage(Topics.discovery, { ...discoveryExample(), priority: 5 }).priority).toBe(5);
    const at = (progress: number) => ({ ...statusExample(), details: { stage_duration: 10, progress } });
    expect(validateMessage(Topics.status, at(0)).details.progress).toBe(0);
    expect(validateMessage(Topics.status, at(100)).details.progress).toBe(100);
  });
});

describe('rejections name the field', () => {
  const cases: [MessageTopic, () => object, string, unknown][] = [
    // wrong types
    [Topics.discovery, discoveryExample, 'repository_url', 42],
    [Topics.discovery, discoveryExample, 'discovery_timestamp', 1700000000],
    [Topics.discovery, discoveryExample, 'priority', '3'],
    [Topics.discovery, discoveryExample, 'source', true],
    [Topics.tasks, taskExample, 'task_id', 7],
    [Topics.tasks, taskExample, 'repository_url', null],
    [Topics.tasks, taskExample, 'created_at', {}],
    [Topics.tasks, taskExample, 'metadata', 'none'],
    [Topics.tasks, taskExample, 'metadata.priority', 2.5],
    [Topics.tasks, taskExample, 'metadata.retry_count', '1'],
    [Topics.tasks, taskExample, 'metadata.last_error', 500],
    [Topics.status, statusExample, 'timestamp', false],
    [Topics.status, statusExample, 'details', []],
    [Topics.status, statusExample, 'details.stage_duration', 1.5],
    [Topics.status, statusExample, 'details.progress', '50'],
    [Topics.status, statusExample, 'details.error', 404],
    // out of range
    [Topics.discovery, discoveryExample, 'priority', 0],
    [Topics.discovery, discoveryExample, 'priority', 6],
    [Topics.tasks, taskExample, 'metadata.priority', 9],
    [Topics.tasks, taskExample, 'metadata.retry_count', -1],
    [Topics.status, statusExample, 'details.progress', -0.1],
    [Topics.status, statusExample, 'details.progress', 100.01],
    [Topics.status, statusExample, 'details.stage_duration', -5],
    // bad enum values
    [Topics.tasks, taskExample, 'task_type', 'compile'],
    [Topics.tasks, taskExample, 'status', 'done'],
    [Topics.status, statusExample, 'status', 'cloned'],
    // bad formats
    [Topics.tasks, taskExample, 'task_id', 'not-a-uuid'],
    [Topics.tasks, taskExample, 'task_id', '123e4567e89b12d3a456426614174000'],
    [Topics.discovery, discoveryExample, 'discovery_timestamp', '2026-11-27 10:15:30'],
    [Topics.discovery, discoveryExample, 'discovery_timestamp', '2026-11-27T10:15:30'],
    [Topics.status, statusExample, 'timestamp', '27/11/2026'],
    [Topics.discovery, discoveryExample, 'repository_url', ''],
    [Topics.discovery, discoveryExample, 'source', ''],
  ];

  it.each(cases)('%s rejects %s = %j', (topic, example, field, value) => {
    expectRejected(topic, withField(example(), field, value), field);
  });

  const required: [MessageTopic, () => object, string][] = [
    [Topics.discovery, discoveryExample, 'repository_url'],
    [Topics.discovery, discoveryExample, 'discovery_timestamp'],
    [Topics.discovery, discoveryExample, 'priority'],
    [Topics.discovery, discoveryExample, 'source'],
    [Topics.tasks, taskExample, 'task_id'],
    [Topics.tasks, taskExample, 'repository_url'],
    [Topics.tasks, taskExample, 'task_type'],
    [Topics.tasks, taskExample, 'created_at'],
    [Topics.tasks, taskExample, 'status'],
    [Topics.tasks, taskExample, 'metadata'],
    [Topics.tasks, taskExample, 'metadata.priority'],
    [Topics.tasks, taskExample, 'metadata.retry_count'],
    [Topics.status, statusExample, 'repository_url'],
    [Topics.status, statusExample, 'status'],
    [Topics.status, statusExample, 'timestamp'],
    [Topics.status, statusExample, 'details'],
    [Topics.status, statusExample, 'details.stage_duration'],
    [Topics.status, statusExample, 'details.progress'],
  ];

  it.each(required)('%s requires %s', (topic, example, field) => {
    expectRejected(topic, withField(example(), field, undefined), field);
  });

  it('rejects fields the seed does not define, naming them', () => {
    expectRejected(Topics.discovery, { ...discoveryExample(), commit: 'abc' }, 'commit');
    expectRejected(Topics.tasks, withField(taskExample(), 'metadata.attempt', 2), 'metadata.attempt');
  });

  it('lists every problem of a message at once', () => {
    const violation = expectRejected(Topics.discovery, { priority: 9 }, 'priority');
    expect(violation.problems.map((p) => p.field).sort()).toEqual(
      ['discovery_timestamp', 'priority', 'repository_url', 'source'].sort(),
    );
  });
});

describe('bytes on the wire', () => {
  it('round-trips a message through encode and decode', () => {
    const message = taskExample();
    expect(decodeMessage(Topics.tasks, encodeMessage(Topics.tasks, message))).toEqual(message);
  });

  it('refuses to encode an invalid message (a producer bug)', () => {
    expect(() => encodeMessage(Topics.tasks, { ...taskExample(), status: 'nope' } as never)).toThrow(
      ContractViolationError,
    );
  });

  it.each([
    ['garbage bytes', Buffer.from([0xff, 0xfe, 0x00, 0x01])],
    ['truncated JSON', Buffer.from('{"repository_url": "x"')],
    ['a JSON array', Buffer.from('[]')],
  ])('rejects %s with a reason', (_name, bytes) => {
    expect(() => decodeMessage(Topics.status, bytes)).toThrow(ContractViolationError);
  });
});
