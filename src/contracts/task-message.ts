/** Seed topic 2, `repository.tasks`: the journal of stage tasks (DESIGN.md §1). */
import { z } from 'zod';
import { isoTimestamp, priority, repositoryUrl } from './fields.js';

/** Stages in pipeline order: clone → select_files → load_rag → analyze. */
export const TaskTypes = ['clone', 'select_files', 'load_rag', 'analyze'] as const;
export type TaskType = (typeof TaskTypes)[number];

export const TaskStatuses = ['pending', 'in_progress', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TaskStatuses)[number];

export const TaskMetadataSchema = z
  .strictObject({
    priority,
    retry_count: z.int().min(0).describe('Retries already spent on this task'),
    last_error: z.string().optional().describe('Error of the last failed attempt (redacted)'),
  })
  .meta({ title: 'TaskMetadata' });

export const TaskMessageSchema = z
  .strictObject({
    task_id: z.uuid().describe('UUID shared by the in_progress and completed/failed messages'),
    repository_url: repositoryUrl,
    task_type: z.enum(TaskTypes),
    created_at: isoTimestamp,
    status: z.enum(TaskStatuses),
    metadata: TaskMetadataSchema,
  })
  .meta({ title: 'TaskMessage', description: 'Tasks for repository processing' });

export type TaskMessage = z.infer<typeof TaskMessageSchema>;
