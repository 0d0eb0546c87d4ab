/**
 * A stage job: what a stage needs to know about the message that triggered it, whichever topic
 * it came from. Bodies carry the seed's fields; the commit, default branch and run id travel in
 * headers (DESIGN.md §1), and a task's identity survives retries through the `x-original-*`
 * headers the retry machinery keeps.
 */
import { createHash } from 'node:crypto';
import type { DiscoveryMessage } from '../../contracts/discovery-message.js';
import { Headers } from '../../contracts/headers.js';
import type { TaskMessage, TaskType } from '../../contracts/task-message.js';
import type { MessageHeaders, ReceivedMessage } from '../../ports/message-bus.js';

export interface StageJob {
  readonly repositoryUrl: string;
  readonly priority: number;
  /** The commit the previous stage worked on; absent on discovery and on some re-run requests. */
  readonly commit: string | undefined;
  readonly defaultBranch: string | undefined;
  /** One pass of one repository through the stages; minted at discovery when absent. */
  readonly runId: string;
  /**
   * True when the trigger was a `pending` task (a re-run asked for by a user or a replay): the
   * stage recomputes even when its output for the commit already exists.
   */
  readonly forced: boolean;
}

const SHA = /^[0-9a-f]{40}$/;

function commitFrom(headers: MessageHeaders): string | undefined {
  const commit = headers[Headers.commit];
  return commit !== undefined && SHA.test(commit) ? commit : undefined;
}

/**
 * The run id from the headers; a message without one starts a run, whose id is derived from the
 * message's first delivery so that its retries and its give-up report name the same run.
 */
function runIdFrom(received: ReceivedMessage): string {
  const runId = received.headers[Headers.runId];
  return runId !== undefined && runId.length > 0 && runId.length <= 100 ? runId : stageTaskId(received, 'clone');
}

export function jobFromDiscovery(message: DiscoveryMessage, received: ReceivedMessage): StageJob {
  return {
    repositoryUrl: message.repository_url,
    priority: message.priority,
    commit: undefined,
    defaultBranch: undefined,
    runId: runIdFrom(received),
    forced: false,
  };
}

export function jobFromTask(message: TaskMessage, received: ReceivedMessage): StageJob {
  return {
    repositoryUrl: message.repository_url,
    priority: message.metadata.priority,
    commit: commitFrom(received.headers),
    defaultBranch: received.headers[Headers.defaultBranch],
    runId: runIdFrom(received),
    forced: message.status === 'pending',
  };
}

/**
 * The task id of the stage this message triggers: the same on every retry of the message (the
 * retry keeps the first delivery's `x-original-*` headers), so `in_progress` and the final
 * `completed` or `failed` share it, as the seed's task journal needs. A UUID (version 8 layout)
 * made from a hash of where the trigger was first read.
 */
export function stageTaskId(received: ReceivedMessage, taskType: TaskType): string {
  const h = received.headers;
  const origin =
    h[Headers.originalTopic] !== undefined
      ? `${h[Headers.originalTopic]}:${h[Headers.originalPartition] ?? ''}:${h[Headers.originalOffset] ?? ''}`
      : `${received.topic}:${received.partition}:${received.offset.toString()}`;
  const bytes = createHash('sha256').update(`${origin}:${taskType}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80; // version 8: custom
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
