/**
 * Manual discovery through the discovery publisher (services/discovery): the API submits one
 * normalized URL as a `manual` candidate and reports what the publisher did with it. Typed
 * structurally so the API depends on the publisher's behaviour, not on its module.
 */
import type { Discover, DiscoverOutcome } from './http-deps.js';

export interface DiscoveryPublisherLike {
  publish(
    candidates: readonly { url: string; priority?: number; source: 'manual' | 'automatic' }[],
    options: { force: boolean },
  ): Promise<{
    readonly published: readonly unknown[];
    readonly skipped: readonly { readonly url: string; readonly reason: string }[];
    readonly rejected: readonly { readonly input: string; readonly reason: string }[];
  }>;
}

export function discoverWithPublisher(publisher: DiscoveryPublisherLike): Discover {
  return async ({ url, priority, force }): Promise<DiscoverOutcome> => {
    const result = await publisher.publish([{ url, priority, source: 'manual' }], { force });
    const rejected = result.rejected[0];
    if (rejected !== undefined) return { outcome: 'rejected', reason: rejected.reason };
    const skipped = result.skipped[0];
    if (skipped !== undefined) return { outcome: 'skipped', reason: skipped.reason };
    return { outcome: 'published' };
  };
}
