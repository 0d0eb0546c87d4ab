/**
 * Works around a crash in @platformatic/kafka 1.35: after a broker dies and leaves the cluster
 * metadata, the clients still look it up by id (a cached group coordinator, a stale leader) and
 * read `host` of `undefined` inside a socket callback — an uncaught TypeError that takes the
 * whole process down. The guard turns that lookup into a retriable NetworkError, which the
 * adapters handle like any other outage (a group member is then replaced, see subscription.ts).
 */
import { NetworkError, kGetConnection, type Base } from '@platformatic/kafka';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any client type
type AnyClient = Base<any, any>;
type GetConnection = AnyClient[typeof kGetConnection];

export function guardUnknownBrokers<T extends AnyClient>(client: T): T {
  const original: GetConnection = client[kGetConnection].bind(client);
  const guarded: GetConnection = (broker, callback) => {
    if ((broker as unknown) === undefined || (broker as unknown) === null) {
      callback(
        new NetworkError('The broker is no longer in the cluster metadata.', { unknownBroker: true }),
        undefined,
      );
      return;
    }
    original(broker, callback);
  };
  Object.defineProperty(client, kGetConnection, { value: guarded, configurable: true, writable: true });
  return client;
}
