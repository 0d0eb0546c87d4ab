/**
 * A repository's recent task messages, read back from `repository.tasks` (the task journal,
 * DESIGN.md §1) for the repository detail. Nothing stores tasks in the database, but the topic is
 * keyed by URL, so all of a repository's tasks sit on one partition: this reads the last
 * `scanLimit` records of that partition only (the other partitions are read from their end, i.e.
 * not at all) and keeps those with the repository's key. Bounded work per request; older tasks
 * of a busy partition are simply not shown.
 */
import { Headers } from '../contracts/headers.js';
import { TaskMessageSchema } from '../contracts/task-message.js';
import { Topics } from '../contracts/topics.js';
import { partitionForKey } from '../domain/partitioner.js';
import type { BusAdmin } from '../ports/bus-admin.js';
import type { TaskDto } from './dto.js';

export type TaskJournal = (url: string) => Promise<TaskDto[]>;

export function createTaskJournal(
  admin: Pick<BusAdmin, 'endOffsets' | 'startOffsets' | 'readMessages'>,
  options: { readonly scanLimit?: number } = {},
): TaskJournal {
  const scanLimit = BigInt(options.scanLimit ?? 1000);
  return async (url) => {
    const [ends, starts] = await Promise.all([admin.endOffsets(Topics.tasks), admin.startOffsets(Topics.tasks)]);
    const partition = partitionForKey(url, ends.size);
    const end = ends.get(partition) ?? 0n;
    const start = starts.get(partition) ?? 0n;
    const first = end - scanLimit > start ? end - scanLimit : start;
    if (first >= end) return [];
    const from = new Map(ends);
    from.set(partition, first);
    const records = await admin.readMessages(Topics.tasks, { from, limit: Number(end - first) });
    const tasks: TaskDto[] = [];
    for (const record of records) {
      if (record.partition !== partition || record.key?.toString('utf8') !== url) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(record.value.toString('utf8'));
      } catch {
        continue;
      }
      const task = TaskMessageSchema.safeParse(parsed);
      if (!task.success) continue;
      tasks.push({
        task_id: task.data.task_id,
        task_type: task.data.task_type,
        status: task.data.status,
        created_at: task.data.created_at,
        commit: record.headers[Headers.commit] ?? null,
        retry_count: task.data.metadata.retry_count,
        last_error: task.data.metadata.last_error ?? null,
      });
    }
    return tasks;
  };
}
