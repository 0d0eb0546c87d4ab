/**
 * A distributed repolens for end-to-end tests: N small repositories (each a real package: a
 * README, a manifest with dependencies, sources, tests, a license) served by `git daemon`, a
 * PostgreSQL schema of its own, a unique topic prefix on the test cluster, and `repolens worker`
 * processes that each have their own workspace (so stages that land on another worker re-clone,
 * as on separate machines). Helpers read back what the seed promises: status order, the task
 * journal, reports and chunks.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKafkaBus, createKafkaBusAdmin } from '../../src/adapters/bus-kafka/index.js';
import { Headers } from '../../src/contracts/headers.js';
import { RepositoryStatuses, type StatusMessage } from '../../src/contracts/status-message.js';
import type { TaskMessage } from '../../src/contracts/task-message.js';
import { Topics } from '../../src/contracts/topics.js';
import { decodeMessage } from '../../src/contracts/validation.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { MessageBus } from '../../src/ports/message-bus.js';
import { createNamespace, namespacedAdmin, namespacedBus } from '../../src/runtime/namespace.js';
import { ensureTopics } from '../../src/runtime/topic-provisioning.js';
import { createRepoRoot, startGitDaemon, type BareRepo, type RepoRoot, type TestServer } from './git-server.js';
import { kafkaBrokers, uniqueName } from './kafka.js';
import { createTestSchema, type TestSchema } from './postgres.js';
import { deleteTopicsWithPrefix } from './topic-cleanup.js';
import { discoveryRecord } from './discovery.js';
import { eventually } from './wait.js';
import { startWorker, type WorkerProcess } from './worker-process.js';

export interface PipelineFixture {
  readonly repos: readonly BareRepo[];
  readonly urls: readonly string[];
  readonly schema: TestSchema;
  readonly bus: MessageBus;
  readonly admin: BusAdmin;
  readonly workers: WorkerProcess[];
  startWorker(): Promise<WorkerProcess>;
  discoverAll(): Promise<void>;
  /** Waits until every repository is `analyzed` at 100 (throws at once if one failed). */
  allAnalyzed(timeoutMs: number): Promise<void>;
  /** Repository URL → state, from the Database Service's table. */
  states(): Promise<Map<string, { status: string; progress: number; failed: boolean; error: string | null }>>;
  statusMessages(): Promise<Map<string, StatusMessage[]>>;
  taskMessages(): Promise<Map<string, TaskMessage[]>>;
  close(): Promise<void>;
}

/** Files of repository i: small but real enough for every stage and report section. */
function repositoryFiles(i: number): Record<string, string> {
  const name = `pkg-${i}`;
  return {
    'README.md': `# ${name}\n\nA small package used by repolens' end-to-end tests. It parses and formats dates.\n`,
    'package.json': JSON.stringify(
      {
        name,
        version: '1.0.0',
        license: 'MIT',
        main: 'src/index.js',
        dependencies: { ms: '^2.1.3', ...(i % 2 === 0 ? { debug: '^4.3.4' } : {}) },
        devDependencies: { vitest: '^4.0.0' },
      },
      null,
      2,
    ),
    LICENSE: `MIT License\n\nCopyright (c) 2026 Test Author ${i}\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the "Software"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n`,
    'src/index.js': `'use strict';\n\n// Parses an ISO date; returns null when it is not one.\nfunction parseDate${i}(text) {\n  const value = Date.parse(text);\n  if (Number.isNaN(value)) {\n    return null;\n  }\n  return new Date(value);\n}\n\nfunction formatDate(date) {\n  return date.toISOString().slice(0, 10);\n}\n\nmodule.exports = { parseDate${i}, formatDate };\n`,
    'src/range.js': `'use strict';\n\nfunction daysBetween(a, b) {\n  const ms = Math.abs(b - a);\n  return ms > 0 ? Math.floor(ms / 86400000) : 0;\n}\n\nmodule.exports = { daysBetween };\n`,
    'test/index.test.js': `const { parseDate${i} } = require('../src/index.js');\n\ntest('parses', () => {\n  expect(parseDate${i}('2026-01-02')).not.toBeNull();\n});\n`,
  };
}

export async function createPipelineFixture(
  count: number,
  extraWorkerEnv: NodeJS.ProcessEnv = {},
): Promise<PipelineFixture> {
  const root: RepoRoot = await createRepoRoot();
  const repos: BareRepo[] = [];
  for (let i = 0; i < count; i++) repos.push(await root.createBareRepo(`repo-${i}`, repositoryFiles(i)));
  const daemon: TestServer = await startGitDaemon(root.dir);
  // The normalized form of a git:// URL has no `.git` suffix (discovery strips it).
  const urls = repos.map((repo) => daemon.url(repo.name).replace(/\.git$/, ''));
  const schema = await createTestSchema('e2e');
  const prefix = `${uniqueName('e2e')}.`;
  const rawBus = createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName('e2e') });
  const rawAdmin = createKafkaBusAdmin({ brokers: kafkaBrokers(), clientId: uniqueName('e2e-admin') });
  const namespace = createNamespace(prefix);
  const bus = namespacedBus(rawBus, namespace);
  const admin = namespacedAdmin(rawAdmin, namespace);
  await ensureTopics(admin);
  const scratch = await mkdtemp(join(tmpdir(), 'repolens-e2e-'));
  const workers: WorkerProcess[] = [];

  const pool = schema.pool();
  const states: PipelineFixture['states'] = async () => {
    const { rows } = await pool.query<{
      repository_url: string;
      status: string;
      progress: number;
      failed: boolean;
      last_error: string | null;
    }>('SELECT repository_url, status, progress, failed, last_error FROM repository_status');
    return new Map(
      rows.map((r) => [
        r.repository_url,
        { status: r.status, progress: r.progress, failed: r.failed, error: r.last_error },
      ]),
    );
  };
  return {
    repos,
    urls,
    schema,
    bus,
    admin,
    workers,
    startWorker: async () => {
      const worker = startWorker(['--services', 'clone,select,rag,analyze,database'], {
        REPOLENS_BROKERS: kafkaBrokers().join(','),
        REPOLENS_TOPIC_PREFIX: prefix,
        DATABASE_URL: schema.url,
        REPOLENS_WORKSPACE: join(scratch, `workspace-${workers.length}`),
        REPOLENS_DATA_DIR: join(scratch, `data-${workers.length}`),
        REPOLENS_GIT_PROTOCOLS: 'git',
        REPOLENS_RETRY_DELAYS_MS: '1000,2000,3000',
        REPOLENS_KAFKA_SESSION_TIMEOUT_MS: '6000',
        REPOLENS_SHUTDOWN_GRACE_MS: '10000',
        REPOLENS_LOG_LEVEL: 'warn',
        ...extraWorkerEnv,
      });
      workers.push(worker);
      await worker.ready;
      return worker;
    },
    discoverAll: async () => {
      await bus.produce(urls.map((url) => discoveryRecord(url, { headers: { [Headers.runId]: crypto.randomUUID() } })));
    },
    states,
    allAnalyzed: (timeoutMs) =>
      eventually(
        'all repositories analyzed',
        async () => {
          const current = await states();
          const failed = [...current.values()].filter((state) => state.failed);
          if (failed.length > 0) throw new Error(`failed: ${JSON.stringify(failed)}`);
          return urls.every((url) => current.get(url)?.status === 'analyzed' && current.get(url)?.progress === 100);
        },
        timeoutMs,
        500,
      ),
    statusMessages: async () => {
      const byUrl = new Map<string, StatusMessage[]>();
      for (const record of await admin.readMessages(Topics.status)) {
        const message = decodeMessage(Topics.status, record.value);
        byUrl.set(message.repository_url, [...(byUrl.get(message.repository_url) ?? []), message]);
      }
      return byUrl;
    },
    taskMessages: async () => {
      const byUrl = new Map<string, TaskMessage[]>();
      for (const record of await admin.readMessages(Topics.tasks)) {
        const message = decodeMessage(Topics.tasks, record.value);
        byUrl.set(message.repository_url, [...(byUrl.get(message.repository_url) ?? []), message]);
      }
      return byUrl;
    },
    close: async () => {
      await Promise.allSettled(workers.map((worker) => worker.kill()));
      await Promise.allSettled([bus.close(), rawAdmin.close()]);
      await deleteTopicsWithPrefix(kafkaBrokers(), prefix).catch(() => undefined);
      await daemon.close();
      await root.remove();
      await schema.drop();
      await rm(scratch, { recursive: true, force: true });
    },
  };
}

/** Stage order of the seed's statuses: a repository's messages never go back a stage. */
export function stageIndex(status: string): number {
  return (RepositoryStatuses as readonly string[]).indexOf(status);
}
