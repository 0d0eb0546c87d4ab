/**
 * The consumer runtime (DESIGN.md §1 "Retries and the DLQ", "Delivery"). A consumer declares a
 * topic, a group and routes; the runtime subscribes to the topic and its three retry tiers and,
 * for each message: checks size and schema (violations → DLQ at once), waits for the due time on
 * a tier, picks the route that accepts the message, runs it with an AbortSignal, and on failure
 * republishes to the next tier or dead-letters it. Offsets are committed by the bus only after
 * this hand-off finished.
 */
import { retryGroupId } from '../contracts/consumer-groups.js';
import { Headers } from '../contracts/headers.js';
import { MAX_MESSAGE_BYTES, RETRY_TIERS, retryTopicName, type MessageTopic } from '../contracts/topics.js';
import { ContractViolationError, decodeMessage, type MessageByTopic } from '../contracts/validation.js';
import { ErrorCodes, RepolensError } from '../domain/errors.js';
import { classifyFailure, decideRetry, failureCode } from '../domain/retry-policy.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { MessageBus, ReceivedMessage } from '../ports/message-bus.js';
import type { ConsumerDefinition, RouteContext } from '../ports/message-route.js';

export type { ConsumerDefinition, GiveUp, MessageRoute, RouteContext } from '../ports/message-route.js';
import { buildDeadLetter } from './dead-letter.js';
import { persistently } from './hand-off.js';
import { startAll } from './start-all.js';
import { buildRetryMessage, retriesSoFar } from './retry-envelope.js';

/**
 * How long a retry tier's poll waits at the broker when its topic is empty, and how often its
 * member heartbeats. A retried message ends the wait as soon as it arrives; the long wait and the
 * rare heartbeats only spare the brokers the idle requests of the nine tier subscriptions a
 * worker holds (with 5 s and 3 s they were most of what an idle worker sent, and more broker CPU
 * in bench:pipeline than the messages themselves). The cost: a tier partition assigned while a
 * poll is out is read up to 15 s late, and a tier group's rebalance waits up to 10 s for each
 * member to notice, next to tier delays of minutes.
 */
const RETRY_TIER_POLL_WAIT_MS = 15_000;
const RETRY_TIER_HEARTBEAT_MS = 10_000;

export type HandlingOutcome = 'success' | 'retried' | 'dead-lettered' | 'skipped';

export interface HandlingEvent {
  readonly topic: MessageTopic;
  readonly groupId: string;
  readonly service: string;
  readonly outcome: HandlingOutcome;
  readonly durationMs: number;
  /** Retry tier the message came from (0 = main topic). */
  readonly tier: number;
  readonly errorCode?: string;
  /** Whether a handler ran (after `handlerStarted`); false for invalid and skipped messages. */
  readonly started: boolean;
}

export interface ConsumerObserver {
  handlerStarted?(topic: MessageTopic, groupId: string): void;
  handled?(event: HandlingEvent): void;
}

export interface ConsumerRuntimeOptions {
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly logger: Logger;
  /** One delay per retry tier; defaults are the seed's 1, 5 and 15 minutes. */
  readonly retryDelaysMs: readonly number[];
  /**
   * Handlers at once per subscription, unless a consumer sets its own for its main topic (the
   * retry tiers keep this one); same-key messages never overlap.
   */
  readonly concurrency?: number;
  readonly maxMessageBytes?: number;
  readonly observer?: ConsumerObserver;
}

export interface RunningConsumer {
  /** Settles when any of the subscriptions stops on its own (a failed hand-off). */
  readonly done: Promise<void>;
  close(graceMs?: number): Promise<void>;
}

function tooLarge(topic: string, size: number, limit: number): RepolensError {
  return new RepolensError(
    'REPOLENS_MESSAGE_TOO_LARGE',
    `${topic} message of ${size} bytes exceeds the ${limit}-byte limit`,
    {
      retryable: false,
      details: { size, limit },
    },
  );
}

export async function startConsumer<T extends MessageTopic>(
  definition: ConsumerDefinition<T>,
  options: ConsumerRuntimeOptions,
): Promise<RunningConsumer> {
  const { topic, groupId } = definition;
  if (options.retryDelaysMs.length !== RETRY_TIERS.length) {
    throw new RepolensError(
      ErrorCodes.configInvalid,
      `retryDelaysMs needs ${RETRY_TIERS.length} delays, got ${options.retryDelaysMs.length}`,
    );
  }
  const mainConcurrency = definition.concurrency ?? options.concurrency;
  const maxBytes = options.maxMessageBytes ?? MAX_MESSAGE_BYTES;
  const logger = options.logger.child({ topic, groupId });
  const groupService = definition.routes.map((r) => r.service).join(',') || groupId;

  async function handle(
    received: ReceivedMessage,
    tier: number,
    subscriptionGroup: string,
    signal: AbortSignal,
  ): Promise<void> {
    const started = options.clock.now();
    const deps = { clock: options.clock, logger, signal };
    let handlerRan = false;
    const report = (service: string, outcome: HandlingOutcome, errorCode?: string): void =>
      options.observer?.handled?.({
        started: handlerRan,
        topic,
        groupId,
        service,
        outcome,
        durationMs: options.clock.now() - started,
        tier,
        errorCode,
      });

    let message: MessageByTopic[T];
    try {
      if (received.value.length > maxBytes) throw tooLarge(topic, received.value.length, maxBytes);
      message = decodeMessage(topic, received.value);
    } catch (error) {
      const invalid = error instanceof RepolensError ? error : new ContractViolationError(topic, [], error);
      logger.warn(
        { partition: received.partition, offset: received.offset.toString(), code: invalid.code },
        `dead-lettering: ${invalid.message}`,
      );
      const record = buildDeadLetter({
        received,
        groupId: subscriptionGroup,
        service: groupService,
        attempt: tier + 1,
        error: invalid,
        failedAt: options.clock.now(),
      });
      await persistently('dead-lettering an invalid message', () => options.bus.produce([record]), deps);
      report(groupService, 'dead-lettered', invalid.code);
      return;
    }

    const route = definition.routes.find((candidate) => candidate.accepts(message));
    if (route === undefined) {
      report(groupService, 'skipped');
      return;
    }

    if (tier > 0) {
      const dueAt = Date.parse(received.headers[Headers.dueAt] ?? '');
      // Again after waking: a timer may fire a millisecond before the wall clock reaches the due
      // time (bounded, so a clock that does not move cannot spin here).
      for (let wait = 0; wait < 3 && Number.isFinite(dueAt) && dueAt > options.clock.now(); wait++)
        await options.clock.sleep(dueAt - options.clock.now(), signal);
    }

    const retries = retriesSoFar(topic, message, received.headers);
    const context: RouteContext = { signal, headers: received.headers, received, attempt: retries + 1 };
    options.observer?.handlerStarted?.(topic, groupId);
    handlerRan = true;
    try {
      await route.handle(message, context);
      report(route.service, 'success');
      return;
    } catch (error) {
      if (signal.aborted) throw error; // shutting down: leave it uncommitted for redelivery
      const decision = decideRetry(classifyFailure(error), retries, options.retryDelaysMs);
      const code = failureCode(error);
      const log = logger.child({
        service: route.service,
        partition: received.partition,
        offset: received.offset.toString(),
        attempt: context.attempt,
        code,
      });
      if (decision.action === 'retry') {
        const dueAt = options.clock.now() + decision.delayMs;
        const retry = buildRetryMessage({ topic, received, message, error, tierIndex: decision.tierIndex, dueAt });
        log.warn(
          { err: error, retryTopic: retry.topic, dueAt: new Date(dueAt).toISOString() },
          'handler failed; retrying later',
        );
        await persistently('publishing a retry', () => options.bus.produce([retry]), deps);
        report(route.service, 'retried', code);
        return;
      }
      log.error({ err: error }, 'handler failed; dead-lettering');
      const record = buildDeadLetter({
        received,
        groupId: subscriptionGroup,
        service: route.service,
        attempt: context.attempt,
        error,
        failedAt: options.clock.now(),
      });
      await persistently('dead-lettering', () => options.bus.produce([record]), deps);
      if (route.onGiveUp !== undefined) {
        const onGiveUp = route.onGiveUp.bind(route);
        await persistently(
          'reporting the failure',
          () => onGiveUp(message, { error, code, attempt: context.attempt }, context),
          deps,
        );
      }
      report(route.service, 'dead-lettered', code);
    }
  }

  // The main group and the tier groups join in parallel: each join waits for the group's other
  // members to notice the rebalance (up to a heartbeat interval), and one after the other those
  // waits would add up.
  const subscriptions = await startAll(
    [
      options.bus.subscribe({
        groupId,
        topics: [topic],
        concurrency: mainConcurrency,
        handler: (received, { signal }) => handle(received, 0, groupId, signal),
      }),
      ...RETRY_TIERS.map((tier, index) => {
        const tierGroup = retryGroupId(groupId, tier);
        return options.bus.subscribe({
          groupId: tierGroup,
          topics: [retryTopicName(topic, tier)],
          concurrency: options.concurrency,
          pollWaitMs: RETRY_TIER_POLL_WAIT_MS,
          heartbeatIntervalMs: RETRY_TIER_HEARTBEAT_MS,
          handler: (received, { signal }) => handle(received, index + 1, tierGroup, signal),
        });
      }),
    ],
    (subscription) => subscription.close({ graceMs: 0 }),
  );

  let closing: Promise<void> | undefined;
  return {
    done: Promise.all(subscriptions.map((s) => s.done)).then(() => undefined),
    close: (graceMs?: number) => {
      closing ??= Promise.all(subscriptions.map((s) => s.close({ graceMs }))).then(() => undefined);
      return closing;
    },
  };
}
