/** Discovery messages as a test or bench publishes them, straight onto `repository.discovery`. */
import { Topics } from '../../src/contracts/topics.js';
import { encodeMessage } from '../../src/contracts/validation.js';
import type { OutgoingMessage } from '../../src/ports/message-bus.js';

export function discoveryRecord(
  url: string,
  options: { priority?: number; source?: 'manual' | 'automatic'; headers?: Record<string, string> } = {},
): OutgoingMessage {
  return {
    topic: Topics.discovery,
    key: url,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    value: encodeMessage(Topics.discovery, {
      repository_url: url,
      discovery_timestamp: new Date().toISOString(),
      priority: options.priority ?? 3,
      source: options.source ?? 'automatic',
    }),
  };
}
