/** Seed topic 3, `repository.status`: progress per repository, stored by the Database Service. */
import { z } from 'zod';
import { isoTimestamp, repositoryUrl } from './fields.js';

/** One status per stage, in pipeline order. */
export const RepositoryStatuses = ['cloning', 'file_selection', 'rag_loaded', 'analyzed'] as const;
export type RepositoryStatus = (typeof RepositoryStatuses)[number];

export const StatusDetailsSchema = z
  .strictObject({
    // The seed does not mark stage_duration optional, so every message carries it: the time
    // spent in the stage so far; at progress 100 it is the stage's full duration.
    stage_duration: z.int().min(0).describe('Milliseconds spent in this stage so far'),
    error: z.string().optional().describe('Why the stage failed (redacted: no credentials)'),
    progress: z.number().min(0).max(100).describe('Progress within the stage, 0-100'),
  })
  .meta({ title: 'StatusDetails' });

export const StatusMessageSchema = z
  .strictObject({
    repository_url: repositoryUrl,
    status: z.enum(RepositoryStatuses),
    timestamp: isoTimestamp,
    details: StatusDetailsSchema,
  })
  .meta({ title: 'StatusMessage', description: 'Status updates for repository processing' });

export type StatusMessage = z.infer<typeof StatusMessageSchema>;
