/**
 * The dependency checks behind `/readyz`: the database answers a cheap query, and (distributed
 * mode) the Kafka cluster answers a metadata request. The in-process bus of embedded mode lives
 * and dies with this process, so it is always ready. Each check has a time limit: a hung
 * database must make the server "not ready", not make the probe hang.
 */
import { redactSecrets } from '../domain/redaction.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { Store } from '../ports/store.js';
import type { Readiness, ReadinessCheck } from './http-deps.js';

export interface ReadinessOptions {
  readonly store: Pick<Store, 'countByStatus'>;
  /** The Kafka admin in distributed mode; omitted for the in-process bus. */
  readonly admin?: Pick<BusAdmin, 'brokerCount'>;
  readonly timeoutMs?: number;
}

async function check(name: string, timeoutMs: number, probe: () => Promise<unknown>): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), timeout]);
    return { name, ok: true };
  } catch (error) {
    return { name, ok: false, error: redactSecrets(error instanceof Error ? error.message : String(error)) };
  } finally {
    clearTimeout(timer);
  }
}

export function createReadiness(options: ReadinessOptions): Readiness {
  const timeoutMs = options.timeoutMs ?? 2000;
  return async () => {
    const admin = options.admin;
    return Promise.all([
      check('database', timeoutMs, () => options.store.countByStatus()),
      admin === undefined
        ? Promise.resolve({ name: 'bus', ok: true })
        : check('bus', timeoutMs, async () => {
            if ((await admin.brokerCount()) < 1) throw new Error('the cluster reports no brokers');
          }),
    ]);
  };
}
