/**
 * The Discovery Service's output: turns candidate repositories (typed by a person, found on
 * disk, listed by a forge) into `repository.discovery` messages, keyed by the normalized URL.
 * Every candidate ends in exactly one of three lists: published, skipped (deduplicated: already
 * in the pipeline or analysed recently) or rejected (the URL or priority is unusable, with why).
 * See README.md for the dedupe rules and their limits.
 */
import { randomUUID } from 'node:crypto';
import { Headers } from '../../contracts/headers.js';
import { Topics } from '../../contracts/topics.js';
import { encodeMessage } from '../../contracts/validation.js';
import { isRepolensError } from '../../domain/errors.js';
import { normalizeRepositoryUrl, stripCredentials } from '../../domain/repository-url.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { MessageBus } from '../../ports/message-bus.js';
import type { RepositorySummary, Store } from '../../ports/store.js';

export type DiscoverySource = 'manual' | 'automatic';

export interface DiscoveryCandidate {
  /** As given: normalized here. */
  readonly url: string;
  /** 1 (lowest) to 5 (highest); default 3. */
  readonly priority?: number;
  readonly source: DiscoverySource;
}

export interface PublishedDiscovery {
  readonly url: string;
  readonly priority: number;
  readonly source: DiscoverySource;
  readonly discoveryTimestamp: string;
}

export interface SkippedDiscovery {
  readonly url: string;
  readonly reason: string;
}

export interface RejectedDiscovery {
  /** The input with credentials removed. */
  readonly input: string;
  readonly reason: string;
}

export interface PublishResult {
  readonly published: readonly PublishedDiscovery[];
  readonly skipped: readonly SkippedDiscovery[];
  readonly rejected: readonly RejectedDiscovery[];
}

export interface PublishOptions {
  /** Publish even when the repository is in flight or was analysed recently. */
  readonly force: boolean;
}

export interface DiscoveryPublisher {
  publish(candidates: readonly DiscoveryCandidate[], options: PublishOptions): Promise<PublishResult>;
}

export interface DiscoveryPublisherOptions {
  readonly bus: Pick<MessageBus, 'produce'>;
  /** For dedupe; without one every valid candidate is published. */
  readonly store?: Pick<Store, 'getRepository'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** A repository analysed less than this long ago is skipped (default 7 days). */
  readonly revisitIntervalMs?: number;
  /** Accept local paths and file:// URLs. */
  readonly allowLocal: boolean;
  /** Resolves relative local paths. */
  readonly cwd?: string;
}

export const DEFAULT_PRIORITY = 3;
export const DEFAULT_REVISIT_INTERVAL_MS = 7 * 86_400_000;

/** Why a repository should not be published now, or undefined when it should. */
export function dedupeReason(
  summary: Pick<RepositorySummary, 'status' | 'state' | 'progress' | 'updatedAt'>,
  now: number,
  revisitIntervalMs: number,
): string | undefined {
  const age = now - summary.updatedAt.getTime();
  if (summary.state === 'failed') return undefined;
  if (summary.status === 'analyzed' && summary.progress >= 100) {
    if (age < revisitIntervalMs) {
      const revisitAt = new Date(summary.updatedAt.getTime() + revisitIntervalMs).toISOString();
      return `analysed at ${summary.updatedAt.toISOString()}; due for a revisit at ${revisitAt}`;
    }
    return undefined;
  }
  // A run that has not moved for a whole revisit interval is presumed dead, not in flight.
  if (age >= revisitIntervalMs) return undefined;
  return `in flight (${summary.status} ${summary.progress}%, updated ${summary.updatedAt.toISOString()})`;
}

function priorityProblem(priority: number | undefined): string | undefined {
  if (priority === undefined) return undefined;
  return Number.isInteger(priority) && priority >= 1 && priority <= 5
    ? undefined
    : `priority must be an integer from 1 to 5, got ${String(priority)}`;
}

export function createDiscoveryPublisher(options: DiscoveryPublisherOptions): DiscoveryPublisher {
  const { bus, store, clock, logger, allowLocal, cwd } = options;
  const revisitIntervalMs = options.revisitIntervalMs ?? DEFAULT_REVISIT_INTERVAL_MS;

  return {
    async publish(candidates, { force }) {
      const rejected: RejectedDiscovery[] = [];
      // Normalized URL → the winning candidate; Map keeps first-seen order for stable output.
      const unique = new Map<string, { priority: number; source: DiscoverySource }>();
      for (const candidate of candidates) {
        const problem = priorityProblem(candidate.priority);
        if (problem !== undefined) {
          rejected.push({ input: stripCredentials(String(candidate.url)), reason: problem });
          continue;
        }
        let url: string;
        try {
          ({ url } = normalizeRepositoryUrl(candidate.url, { allowLocal, ...(cwd === undefined ? {} : { cwd }) }));
        } catch (error) {
          if (!isRepolensError(error)) throw error;
          rejected.push({ input: stripCredentials(String(candidate.url)), reason: error.message });
          continue;
        }
        const priority = candidate.priority ?? DEFAULT_PRIORITY;
        const previous = unique.get(url);
        // Highest priority wins; on a tie a person's request (manual) beats a crawler's.
        if (
          previous === undefined ||
          priority > previous.priority ||
          (priority === previous.priority && candidate.source === 'manual')
        ) {
          unique.set(url, { priority, source: candidate.source });
        }
      }

      const skipped: SkippedDiscovery[] = [];
      const toPublish: { url: string; priority: number; source: DiscoverySource }[] = [];
      const now = clock.now();
      for (const [url, chosen] of unique) {
        if (!force && store !== undefined) {
          const summary = await store.getRepository(url, { historyLimit: 0 });
          const reason = summary === undefined ? undefined : dedupeReason(summary, now, revisitIntervalMs);
          if (reason !== undefined) {
            skipped.push({ url, reason });
            continue;
          }
        }
        toPublish.push({ url, ...chosen });
      }

      const discoveryTimestamp = new Date(now).toISOString();
      if (toPublish.length > 0) {
        await bus.produce(
          toPublish.map(({ url, priority, source }) => ({
            topic: Topics.discovery,
            key: url,
            headers: { [Headers.runId]: randomUUID() },
            value: encodeMessage(Topics.discovery, {
              repository_url: url,
              discovery_timestamp: discoveryTimestamp,
              priority,
              source,
            }),
          })),
        );
      }
      const published = toPublish.map((entry) => ({ ...entry, discoveryTimestamp }));
      for (const entry of published) logger.info({ repository: entry.url, priority: entry.priority }, 'discovered');
      for (const entry of skipped) logger.debug({ repository: entry.url, reason: entry.reason }, 'skipped');
      for (const entry of rejected) logger.warn({ input: entry.input, reason: entry.reason }, 'rejected');
      return { published, skipped, rejected };
    },
  };
}
