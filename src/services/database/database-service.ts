/**
 * The Database Service (seed: "All Services -> repository.status -> Database Service"), a
 * member of `status-consumers`. It records every status message in the store: the full history
 * and one current row per repository (the store keeps the rules: idempotent, monotonic, runs).
 */
import { createHash } from 'node:crypto';
import { ConsumerGroups } from '../../contracts/consumer-groups.js';
import { Headers } from '../../contracts/headers.js';
import { Topics } from '../../contracts/topics.js';
import type { Logger } from '../../ports/logger.js';
import type { Store } from '../../ports/store.js';
import type { ConsumerDefinition, MessageRoute } from '../../ports/message-route.js';

export const DATABASE_SERVICE = 'database';

export interface DatabaseServiceDeps {
  readonly store: Store;
  readonly logger: Logger;
}

/**
 * The dedupe key is a hash of the message bytes: a redelivery, and a producer's retry that
 * wrote the same message twice at two offsets, are both recognised as the same message.
 */
export function statusMessageKey(value: Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

export function createDatabaseRoute(deps: DatabaseServiceDeps): MessageRoute<typeof Topics.status> {
  return {
    service: DATABASE_SERVICE,
    accepts: () => true,
    handle: async (message, context) => {
      const commit = context.headers[Headers.commit];
      const runId = context.headers[Headers.runId];
      const result = await deps.store.recordStatus(message, {
        messageKey: statusMessageKey(context.received.value),
        ...(commit === undefined ? {} : { commit }),
        ...(runId === undefined ? {} : { runId }),
      });
      deps.logger.debug(
        { repository: message.repository_url, status: message.status, progress: message.details.progress, ...result },
        'status recorded',
      );
    },
  };
}

export function databaseConsumer(deps: DatabaseServiceDeps): ConsumerDefinition<typeof Topics.status> {
  return { topic: Topics.status, groupId: ConsumerGroups.status, routes: [createDatabaseRoute(deps)] };
}
