/**
 * Concrete instances of the seed's message structures, for tests. Values are what a real
 * pipeline sends: a normalized URL, a UTC timestamp, a v4 UUID.
 */
import { randomUUID } from 'node:crypto';
import type { DiscoveryMessage, StatusMessage, TaskMessage } from '../../../src/contracts/index.js';

export const exampleUrl = 'https://github.com/acme/widgets';

export function discoveryExample(): DiscoveryMessage {
  return {
    repository_url: exampleUrl,
    discovery_timestamp: '2026-11-27T10:15:30.123Z',
    priority: 3,
    source: 'manual',
  };
}

export function taskExample(): TaskMessage {
  return {
    task_id: randomUUID(),
    repository_url: exampleUrl,
    task_type: 'clone',
    created_at: '2026-11-27T10:15:31+01:00',
    status: 'pending',
    metadata: { priority: 3, retry_count: 0 },
  };
}

export function statusExample(): StatusMessage {
  return {
    repository_url: exampleUrl,
    status: 'cloning',
    timestamp: '2026-11-27T10:15:32Z',
    details: { stage_duration: 1500, progress: 42.5 },
  };
}
