/**
 * Follows named repositories through the pipeline by reading `repository.status` in a group of
 * its own, for a command that waits for them (`repolens analyze`): every status message is
 * passed on for display, and `finished` resolves once each repository has reached `analyzed`
 * at 100 or failed (a status message with an error is published only when a stage gives up,
 * after its retries).
 */
import { Headers } from '../contracts/headers.js';
import type { StatusMessage } from '../contracts/status-message.js';
import { Topics } from '../contracts/topics.js';
import { decodeMessage } from '../contracts/validation.js';
import type { MessageBus, Subscription } from '../ports/message-bus.js';

export interface TrackedRepository {
  readonly url: string;
  readonly message: StatusMessage;
  readonly commit: string | undefined;
  readonly finished: boolean;
  readonly failed: boolean;
}

export interface RepositoryTracker {
  /** Resolves with the final state of every tracked repository. */
  readonly finished: Promise<ReadonlyMap<string, TrackedRepository>>;
  close(): Promise<void>;
}

export interface TrackOptions {
  readonly bus: MessageBus;
  readonly urls: readonly string[];
  /** A group no one else uses, so the tracker sees every status message. */
  readonly groupId: string;
  readonly onUpdate?: (state: TrackedRepository) => void;
}

export async function trackRepositories(options: TrackOptions): Promise<RepositoryTracker> {
  const pending = new Set(options.urls);
  const states = new Map<string, TrackedRepository>();
  let resolve!: (value: ReadonlyMap<string, TrackedRepository>) => void;
  const finished = new Promise<ReadonlyMap<string, TrackedRepository>>((r) => (resolve = r));
  if (pending.size === 0) resolve(states);

  const subscription: Subscription = await options.bus.subscribe({
    groupId: options.groupId,
    topics: [Topics.status],
    handler: async (received) => {
      const message = decodeMessage(Topics.status, received.value);
      const url = message.repository_url;
      if (!options.urls.includes(url)) return;
      const failed = message.details.error !== undefined;
      const state: TrackedRepository = {
        url,
        message,
        commit: received.headers[Headers.commit] ?? states.get(url)?.commit,
        failed,
        finished: failed || (message.status === 'analyzed' && message.details.progress >= 100),
      };
      states.set(url, state);
      options.onUpdate?.(state);
      if (state.finished && pending.delete(url) && pending.size === 0) resolve(states);
    },
  });
  return { finished, close: () => subscription.close({ graceMs: 0 }) };
}
