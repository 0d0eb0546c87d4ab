/**
 * Counts the requests this process's Kafka clients send, by API (Produce, Fetch, OffsetCommit,
 * ...), from the library's `connections:api` diagnostics channel. Every request is work on the
 * brokers (and, for writes, on each replica), so the count per API is the plainest measure of
 * what the pipeline costs the cluster; the worker exports it as a metric.
 */
import { connectionsApiChannel, protocolAPIsById } from '@platformatic/kafka';

const apiNames: Readonly<Record<number, string>> = protocolAPIsById;

/** Calls `onRequest` with the API name of every request sent; returns the unsubscribe. */
export function watchKafkaRequests(onRequest: (api: string) => void): () => void {
  const onStart = (event: unknown): void => {
    const key = (event as { apiKey?: unknown }).apiKey;
    const id = typeof key === 'number' ? key : -1;
    onRequest(apiNames[id] ?? `api-${id}`);
  };
  connectionsApiChannel.start.subscribe(onStart);
  return () => void connectionsApiChannel.start.unsubscribe(onStart);
}
