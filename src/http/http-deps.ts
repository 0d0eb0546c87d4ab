/**
 * What the HTTP API needs, all injected (CONVENTIONS.md 1): `buildApp` never opens a database,
 * a bus or a port itself, so tests hand it the real in-process parts and call `inject`.
 */
import type { ChunkIndex } from '../ports/chunk-index.js';
import type { Clock } from '../ports/clock.js';
import type { Embedder } from '../ports/embedder.js';
import type { Logger } from '../ports/logger.js';
import type { MessageBus } from '../ports/message-bus.js';
import type { ReportStore } from '../ports/report-store.js';
import type { Store } from '../ports/store.js';
import type { DlqTools } from '../runtime/dlq-tools.js';
import type { TaskJournal } from './task-journal.js';

/** A manual discovery request, its URL already normalized. */
export interface DiscoverRequest {
  readonly url: string;
  readonly priority: number;
  /** Publish even when the repository was discovered recently (bypasses the dedupe). */
  readonly force: boolean;
}

export type DiscoverOutcome =
  | { readonly outcome: 'published' }
  /** Deduplicated: already queued or processed recently; `reason` says which. */
  | { readonly outcome: 'skipped'; readonly reason: string }
  /** Refused by the publisher's own rules (e.g. a protocol it does not allow). */
  | { readonly outcome: 'rejected'; readonly reason: string };

export type Discover = (request: DiscoverRequest) => Promise<DiscoverOutcome>;

export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  /** Why it is not ready (already free of credentials). */
  readonly error?: string;
}

/** Runs every dependency check; `/readyz` is 200 only when all are ok. */
export type Readiness = () => Promise<readonly ReadinessCheck[]>;

export interface HttpDeps {
  readonly store: Store;
  readonly reports: ReportStore;
  readonly index: ChunkIndex;
  /** When present, search embeds the query and is hybrid. */
  readonly embedder?: Embedder;
  /** Where reprocess requests are published. */
  readonly bus: MessageBus;
  readonly clock: Clock;
  readonly dlq: Pick<DlqTools, 'list' | 'show' | 'replay'>;
  /** Manual discovery (POST /api/repositories), with the publisher's dedupe. */
  readonly discover: Discover;
  readonly readiness: Readiness;
  /** Recent task messages per repository for the detail (createTaskJournal); none when omitted. */
  readonly tasks?: TaskJournal;
  /** Local paths as repositories: only for a trusted, single-user server. Default false. */
  readonly allowLocal?: boolean;
  /** Resolves relative local paths when `allowLocal` is on. */
  readonly cwd?: string;
  /** When set, POST endpoints require it. */
  readonly apiKey?: string;
  readonly version: string;
  readonly logger: Logger;
}
