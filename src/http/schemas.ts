/**
 * JSON Schemas of the API: fastify validates bodies, params and query strings against them,
 * serializes responses with them, and @fastify/swagger turns them into the OpenAPI document, so
 * the documentation cannot drift from what the server does. Nullable fields say so explicitly:
 * the serializer would otherwise turn null into "".
 */
import { TaskTypes } from '../contracts/task-message.js';
import { RepositoryStatuses } from '../contracts/status-message.js';
import { RepositoryStates } from '../ports/store.js';

const nullableString = { type: ['string', 'null'] } as const;
const dateTime = { type: 'string', format: 'date-time' } as const;
const nullableDateTime = { type: ['string', 'null'], format: 'date-time' } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error: a stable REPOLENS_* code and a human-readable message',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const errorRef = { $ref: 'Error#' } as const;

/** `:id`: the URL-encoded normalized repository URL. */
export const repositoryIdParams = {
  type: 'object',
  required: ['id'],
  properties: {
    id: {
      type: 'string',
      minLength: 1,
      maxLength: 2048,
      description: 'The normalized repository URL, URL-encoded (encodeURIComponent)',
    },
  },
} as const;

const links = {
  type: 'object',
  properties: { self: { type: 'string' }, report: { type: 'string' } },
} as const;

const stageDurations = {
  type: 'object',
  description: 'Duration in ms per stage that completed',
  properties: Object.fromEntries(RepositoryStatuses.map((stage) => [stage, { type: 'integer' }])),
} as const;

const summaryProperties = {
  repository_url: { type: 'string' },
  status: { type: 'string', enum: [...RepositoryStatuses], description: 'Stage of the last applied status message' },
  state: {
    type: 'string',
    enum: [...RepositoryStates],
    description: '`failed` when the last message carried an error',
  },
  progress: { type: 'number', description: '0-100 within `status`' },
  last_error: nullableString,
  last_error_at: nullableDateTime,
  first_seen_at: dateTime,
  updated_at: dateTime,
  run_number: { type: 'integer' },
  links,
} as const;

export const repositorySummarySchema = {
  $id: 'RepositorySummary',
  type: 'object',
  properties: summaryProperties,
} as const;

export const repositoryDetailSchema = {
  $id: 'RepositoryDetail',
  type: 'object',
  properties: {
    ...summaryProperties,
    stage_durations_ms: stageDurations,
    runs: {
      type: 'array',
      description: 'Oldest first',
      items: {
        type: 'object',
        properties: {
          run_number: { type: 'integer' },
          run_id: nullableString,
          commit: nullableString,
          started_at: dateTime,
          finished_at: nullableDateTime,
          outcome: { type: 'string', enum: ['running', 'analyzed', 'failed'] },
          stage_durations_ms: stageDurations,
        },
      },
    },
    history: {
      type: 'array',
      description: 'Status messages by timestamp, oldest first (the newest `history_limit`)',
      items: {
        type: 'object',
        properties: {
          status: { type: 'string', enum: [...RepositoryStatuses] },
          progress: { type: 'number' },
          stage_duration_ms: { type: 'integer' },
          error: nullableString,
          timestamp: dateTime,
          received_at: dateTime,
          run_number: { type: ['integer', 'null'] },
          commit: nullableString,
          applied: { type: 'boolean' },
        },
      },
    },
    tasks: {
      type: 'array',
      description: 'Recent task messages of this repository from repository.tasks (its partition), oldest first',
      items: {
        type: 'object',
        properties: {
          task_id: { type: 'string' },
          task_type: { type: 'string', enum: [...TaskTypes] },
          status: { type: 'string', enum: ['pending', 'in_progress', 'completed', 'failed'] },
          created_at: { type: 'string' },
          commit: nullableString,
          retry_count: { type: 'integer' },
          last_error: nullableString,
        },
      },
    },
    reports: {
      type: 'array',
      description: 'Stored reports, newest first, with links to each rendering',
      items: {
        type: 'object',
        properties: {
          commit: { type: 'string' },
          analyzed_at: dateTime,
          report_version: { type: 'integer' },
          security_score: { type: ['number', 'null'] },
          links: {
            type: 'object',
            properties: { json: { type: 'string' }, md: { type: 'string' }, html: { type: 'string' } },
          },
        },
      },
    },
  },
} as const;

export const searchResponseSchema = {
  $id: 'SearchResponse',
  type: 'object',
  description: 'Exactly the ChunkIndex response: `hybrid` when the query was embedded, else `lexical`',
  required: ['mode', 'results'],
  properties: {
    mode: { type: 'string', enum: ['lexical', 'hybrid'] },
    results: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          repository_url: { type: 'string' },
          commit: { type: 'string' },
          path: { type: 'string' },
          start_line: { type: 'integer' },
          end_line: { type: 'integer' },
          symbol: nullableString,
          score: { type: 'number' },
          snippet: { type: 'string' },
        },
      },
    },
  },
} as const;

export const dlqEntrySchema = {
  $id: 'DlqEntry',
  type: 'object',
  properties: {
    id: { type: 'string', description: '`repository.dlq:<partition>:<offset>`' },
    partition: { type: 'integer' },
    offset: { type: 'string' },
    key: nullableString,
    original_topic: { type: 'string' },
    original_partition: { type: 'string' },
    original_offset: { type: 'string' },
    consumer_group: { type: 'string' },
    service: { type: 'string' },
    attempt: { type: 'integer' },
    error_code: { type: 'string' },
    error_message: { type: 'string' },
    failed_at: { type: 'string' },
    size_bytes: { type: 'integer' },
  },
} as const;

export const SHARED_SCHEMAS = [
  errorSchema,
  repositorySummarySchema,
  repositoryDetailSchema,
  searchResponseSchema,
  dlqEntrySchema,
] as const;

/** Standard error responses, for the OpenAPI document and the serializer. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries(statuses.map((status) => [status, errorRef]));
}
