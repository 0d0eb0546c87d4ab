/** Seed topic 1, `repository.discovery`: a repository found for analysis. */
import { z } from 'zod';
import { isoTimestamp, priority, repositoryUrl } from './fields.js';

/** Values repolens itself publishes; the seed's "e.g." leaves the field an open string. */
export const DiscoverySources = ['automatic', 'manual'] as const;

export const DiscoveryMessageSchema = z
  .strictObject({
    repository_url: repositoryUrl,
    discovery_timestamp: isoTimestamp,
    priority,
    source: z.string().min(1).max(200).describe("Where the repository was found, e.g. 'automatic', 'manual'"),
  })
  .meta({ title: 'DiscoveryMessage', description: 'New repositories discovered for analysis' });

export type DiscoveryMessage = z.infer<typeof DiscoveryMessageSchema>;
