/**
 * The HTTP API (src/http) through fastify's `inject` on real parts: the in-process bus with the
 * contract's topics, a real database (PGlite and PostgreSQL), the SQL stores, the real discovery
 * publisher and a local embedding server. What is asserted is what a client relies on: status
 * codes, error codes and reasons, Location headers, the messages that land on the bus, the JSON
 * shapes, the API key, readiness when the database goes away, and an OpenAPI document that
 * lists every route.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryBroker, createMemoryBus, createMemoryBusAdmin } from '../../src/adapters/bus-memory/index.js';
import { createOpenAiEmbedder } from '../../src/adapters/embedder-openai/index.js';
import {
  createSqlChunkIndex,
  createSqlReportStore,
  createSqlStore,
  type SqlDatabase,
} from '../../src/adapters/sql/index.js';
import { silentLogger } from '../../src/adapters/system/silent-logger.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import {
  Headers,
  Topics,
  type DiscoveryMessage,
  type RepositoryStatus,
  type TaskMessage,
} from '../../src/contracts/index.js';
import { buildApp } from '../../src/http/app.js';
import { discoverWithPublisher } from '../../src/http/discovery-adapter.js';
import type { HttpDeps } from '../../src/http/http-deps.js';
import { createReadiness } from '../../src/http/readiness.js';
import { createTaskJournal } from '../../src/http/task-journal.js';
import type { BusAdmin } from '../../src/ports/bus-admin.js';
import type { Chunk } from '../../src/ports/chunk.js';
import type { MessageBus, ReceivedMessage } from '../../src/ports/message-bus.js';
import type { Store } from '../../src/ports/store.js';
import { buildDeadLetter } from '../../src/runtime/dead-letter.js';
import { createDlqTools } from '../../src/runtime/dlq-tools.js';
import { ensureTopics } from '../../src/runtime/topic-provisioning.js';
import { createDiscoveryPublisher } from '../../src/services/discovery/discovery-publisher.js';
import { hashedEmbedding, startEmbeddingServer, type EmbeddingServer } from '../support/embedding-server.js';
import { openTestDatabase, TEST_DATABASE_KINDS } from '../support/sql-database.js';
import { sampleReport } from '../unit/services/analysis/fixture.js';

const API_KEY = 'test-api-key-7f3a';
const AUTH = { authorization: `Bearer ${API_KEY}` };
const COMMIT = 'c0ffee'.padEnd(40, '0');
const T0 = Date.parse('2026-01-01T00:00:00Z');
const DAY_MS = 86_400_000;

const idOf = (url: string): string => encodeURIComponent(url);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

interface ErrorReply {
  readonly error: { readonly code: string; readonly message: string };
}

describe.each(TEST_DATABASE_KINDS)('HTTP API on %s', (kind) => {
  let database: SqlDatabase;
  let store: Store;
  let bus: MessageBus;
  let admin: BusAdmin;
  let app: FastifyInstance;
  let server: EmbeddingServer;
  let messageCounter = 0;
  const repo = (name: string): string => `https://git.example.test/${kind}/${name}`;

  /** Records status messages through the store as the Database Service would. */
  async function record(
    url: string,
    steps: readonly { status: RepositoryStatus; progress: number; error?: string; at: number }[],
    commit: string | undefined = COMMIT,
  ): Promise<void> {
    for (const step of steps) {
      await store.recordStatus(
        {
          repository_url: url,
          status: step.status,
          timestamp: new Date(step.at).toISOString(),
          details: {
            stage_duration: 10,
            progress: step.progress,
            ...(step.error === undefined ? {} : { error: step.error }),
          },
        },
        {
          messageKey: `test:${messageCounter++}`,
          runId: 'run-1',
          ...(step.status === 'cloning' && step.progress < 100 ? {} : commit === undefined ? {} : { commit }),
        },
      );
    }
  }

  async function messagesFor(topic: string, url: string): Promise<ReceivedMessage[]> {
    return (await admin.readMessages(topic)).filter((m) => m.key?.toString('utf8') === url);
  }

  beforeAll(async () => {
    database = await openTestDatabase(kind, 'http_api');
    store = createSqlStore(database);
    const broker = createMemoryBroker();
    admin = createMemoryBusAdmin(broker);
    await ensureTopics(admin);
    bus = createMemoryBus(broker);
    server = await startEmbeddingServer({ dimensions: 16 });
    const deps: HttpDeps = {
      store,
      reports: createSqlReportStore(database.executor),
      index: createSqlChunkIndex(database.executor),
      embedder: createOpenAiEmbedder({ baseUrl: `${server.url}/v1`, model: `hash-${kind}` }),
      bus,
      clock: systemClock,
      dlq: createDlqTools({ admin, bus }),
      discover: discoverWithPublisher(
        createDiscoveryPublisher({
          bus,
          store,
          clock: systemClock,
          logger: silentLogger,
          revisitIntervalMs: 7 * DAY_MS,
          allowLocal: false,
        }),
      ),
      readiness: createReadiness({ store }),
      tasks: createTaskJournal(admin),
      apiKey: API_KEY,
      version: '9.9.9-test',
      logger: silentLogger,
    };
    app = buildApp(deps);
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    await bus?.close();
    await server?.close();
    await database?.close();
  });

  describe('POST /api/repositories', () => {
    it.each([
      ['a scheme git does not get', { url: 'ftp://git.example.test/a/b' }],
      ['the ext:: transport (command execution in git)', { url: 'ext::sh -c touch% /tmp/pwned' }],
      ['an option disguised as a URL', { url: '--upload-pack=touch /tmp/pwned' }],
      ['a local path (local paths are off for the API)', { url: '/etc' }],
    ])('refuses %s with 400 and the reason, publishing nothing', async (_name, body) => {
      const before = (await admin.readMessages(Topics.discovery)).length;
      const reply = await app.inject({ method: 'POST', url: '/api/repositories', headers: AUTH, payload: body });
      expect(reply.statusCode).toBe(400);
      const error = reply.json<ErrorReply>().error;
      expect(error.code).toBe('REPOLENS_INVALID_REPOSITORY_URL');
      expect(error.message.length).toBeGreaterThan(10);
      expect((await admin.readMessages(Topics.discovery)).length).toBe(before);
    });

    it('refuses a missing body, a body without url and unknown fields with 400 naming the problem', async () => {
      const empty = await app.inject({ method: 'POST', url: '/api/repositories', headers: AUTH });
      expect(empty.statusCode).toBe(400);
      expect(empty.json<ErrorReply>().error.code).toBe('REPOLENS_INPUT_INVALID');

      const noUrl = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: AUTH,
        payload: { priority: 2 },
      });
      expect(noUrl.statusCode).toBe(400);
      expect(noUrl.json<ErrorReply>().error.message).toMatch(/url/);

      const badPriority = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: AUTH,
        payload: { url: repo('p'), priority: 9 },
      });
      expect(badPriority.statusCode).toBe(400);
      expect(badPriority.json<ErrorReply>().error.message).toMatch(/priority/);

      const notJson = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: '{"url": ',
      });
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json<ErrorReply>().error.code).toBe('REPOLENS_INPUT_INVALID');
    });

    it('publishes a manual discovery message keyed by the normalized URL: 202 with a Location', async () => {
      const url = repo('widget');
      const reply = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: AUTH,
        payload: {
          url: `${url.replace('https://git.example.test', 'HTTPS://Git.Example.Test:443')}.git/`,
          priority: 4,
        },
      });
      expect(reply.statusCode).toBe(202);
      expect(reply.headers.location).toBe(`/api/repositories/${idOf(url)}`);
      expect(reply.json()).toMatchObject({ repository_url: url, outcome: 'published' });
      const [message, ...more] = await messagesFor(Topics.discovery, url);
      expect(more).toHaveLength(0);
      const body = JSON.parse(message?.value.toString('utf8') ?? '') as DiscoveryMessage;
      expect(body).toMatchObject({ repository_url: url, priority: 4, source: 'manual' });
    });

    it('answers 200 "skipped" for a repository already in flight, and publishes with force', async () => {
      const url = repo('in-flight');
      await record(url, [{ status: 'cloning', progress: 0, at: Date.now() }]);
      const reply = await app.inject({ method: 'POST', url: '/api/repositories', headers: AUTH, payload: { url } });
      expect(reply.statusCode).toBe(200);
      expect(reply.json()).toMatchObject({ repository_url: url, outcome: 'skipped' });
      expect(reply.json<{ reason: string }>().reason.length).toBeGreaterThan(0);
      expect(reply.headers.location).toBe(`/api/repositories/${idOf(url)}`);
      expect(await messagesFor(Topics.discovery, url)).toHaveLength(0);

      const forced = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: AUTH,
        payload: { url, force: true },
      });
      expect(forced.statusCode).toBe(202);
      expect(await messagesFor(Topics.discovery, url)).toHaveLength(1);
    });
  });

  describe('API key', () => {
    it('guards every mutating route: 401 without or with a wrong key, accepted as Bearer or x-api-key', async () => {
      const url = repo('guarded');
      const routes = [
        { url: '/api/repositories', payload: { url } },
        { url: `/api/repositories/${idOf(url)}/reprocess?from=clone` },
        { url: `/api/dlq/${encodeURIComponent('repository.dlq:0:0')}/replay` },
      ];
      for (const route of routes) {
        const none = await app.inject({ method: 'POST', ...route });
        expect(none.statusCode, route.url).toBe(401);
        expect(none.json<ErrorReply>().error.code).toBe('REPOLENS_UNAUTHORIZED');
        expect(none.headers['www-authenticate']).toBe('Bearer');
        const wrong = await app.inject({ method: 'POST', headers: { authorization: 'Bearer nope' }, ...route });
        expect(wrong.statusCode, route.url).toBe(401);
        expect(wrong.body).not.toContain('nope');
        expect(wrong.body).not.toContain(API_KEY);
      }
      expect(await messagesFor(Topics.discovery, url)).toHaveLength(0);
      const withHeader = await app.inject({
        method: 'POST',
        url: '/api/repositories',
        headers: { 'x-api-key': API_KEY },
        payload: { url },
      });
      expect(withHeader.statusCode).toBe(202);
      // Reads need no key.
      expect((await app.inject({ method: 'GET', url: '/api/repositories' })).statusCode).toBe(200);
    });

    it('leaves mutating routes open when no key is configured', async () => {
      const open = buildApp({
        store,
        reports: createSqlReportStore(database.executor),
        index: createSqlChunkIndex(database.executor),
        bus,
        clock: systemClock,
        dlq: createDlqTools({ admin, bus }),
        discover: async () => ({ outcome: 'published' }),
        readiness: async () => [],
        version: '0',
        logger: silentLogger,
      });
      try {
        const reply = await open.inject({ method: 'POST', url: '/api/repositories', payload: { url: repo('open') } });
        expect(reply.statusCode).toBe(202);
      } finally {
        await open.close();
      }
    });
  });

  describe('GET /api/repositories', () => {
    it('pages and filters the recorded repositories, most recently updated first', async () => {
      const names = ['list-a', 'list-b', 'list-c', 'list-d'];
      for (const [i, name] of names.entries()) {
        await record(repo(name), [
          { status: 'cloning', progress: 0, at: T0 + i * 1000 },
          { status: 'cloning', progress: 100, at: T0 + i * 1000 + 1 },
          ...(name === 'list-c'
            ? [{ status: 'file_selection' as const, progress: 40, error: 'boom', at: T0 + i * 1000 + 2 }]
            : []),
        ]);
      }
      const first = await app.inject({ method: 'GET', url: '/api/repositories?search=list-&limit=3&offset=0' });
      expect(first.statusCode).toBe(200);
      const page = first.json<{
        total: number;
        limit: number;
        offset: number;
        repositories: Record<string, unknown>[];
      }>();
      expect(page.total).toBe(4);
      expect(page.limit).toBe(3);
      expect(page.repositories.map((r) => r['repository_url'])).toEqual([
        repo('list-d'),
        repo('list-c'),
        repo('list-b'),
      ]);
      const second = await app.inject({ method: 'GET', url: '/api/repositories?search=list-&limit=3&offset=3' });
      expect(second.json<typeof page>().repositories.map((r) => r['repository_url'])).toEqual([repo('list-a')]);

      const failed = await app.inject({ method: 'GET', url: '/api/repositories?search=list-&status=failed' });
      const failedPage = failed.json<typeof page>();
      expect(failedPage.total).toBe(1);
      expect(failedPage.repositories[0]).toMatchObject({
        repository_url: repo('list-c'),
        state: 'failed',
        status: 'file_selection',
        progress: 40,
        last_error: 'boom',
        links: { self: `/api/repositories/${idOf(repo('list-c'))}` },
      });
      expect(typeof failedPage.repositories[0]?.['updated_at']).toBe('string');
    });

    it.each(['limit=0', 'limit=201', 'offset=-1', 'status=bogus', 'colour=red', 'limit=ten'])(
      'refuses the query %s with 400',
      async (query) => {
        const reply = await app.inject({ method: 'GET', url: `/api/repositories?${query}` });
        expect(reply.statusCode).toBe(400);
        expect(reply.json<ErrorReply>().error.code).toBe('REPOLENS_INPUT_INVALID');
      },
    );
  });

  describe('GET /api/repositories/:id', () => {
    it('is 404 with a JSON error for an unknown repository', async () => {
      const reply = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(repo('nobody'))}` });
      expect(reply.statusCode).toBe(404);
      expect(reply.json<ErrorReply>().error.code).toBe('REPOLENS_NOT_FOUND');
    });

    it('shows runs, history, tasks and report links of a repository named by its encoded URL', async () => {
      const url = repo('detail');
      await record(url, [
        { status: 'cloning', progress: 0, at: T0 },
        { status: 'cloning', progress: 100, at: T0 + 1 },
        { status: 'file_selection', progress: 100, at: T0 + 2 },
      ]);
      await createSqlReportStore(database.executor).save(sampleReport({ url, commit: COMMIT }), {
        markdown: '# r\n',
        html: '<p>r</p>',
      });
      const reprocess = await app.inject({
        method: 'POST',
        url: `/api/repositories/${idOf(url)}/reprocess?from=load_rag`,
        headers: AUTH,
      });
      expect(reprocess.statusCode).toBe(202);

      const reply = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(url)}` });
      expect(reply.statusCode).toBe(200);
      const detail = reply.json<
        Record<string, unknown> & { runs: unknown[]; history: unknown[]; tasks: unknown[]; reports: unknown[] }
      >();
      expect(detail).toMatchObject({
        repository_url: url,
        status: 'file_selection',
        state: 'file_selection',
        progress: 100,
      });
      expect(detail.runs).toEqual([expect.objectContaining({ run_number: 1, commit: COMMIT, outcome: 'running' })]);
      expect(detail.history).toHaveLength(3);
      expect(detail.tasks).toEqual([
        expect.objectContaining({ task_type: 'load_rag', status: 'pending', commit: COMMIT, retry_count: 0 }),
      ]);
      expect(detail.reports).toEqual([
        expect.objectContaining({
          commit: COMMIT,
          links: expect.objectContaining({
            md: `/api/repositories/${idOf(url)}/report?format=md&commit=${COMMIT}`,
          }) as unknown,
        }),
      ]);
    });
  });

  describe('GET /api/repositories/:id/report', () => {
    const url = 'https://git.example.test/reports/widget';
    beforeAll(async () => {
      await createSqlReportStore(database.executor).save(sampleReport({ url, commit: COMMIT }), {
        markdown: '# widget\n\nreport body\n',
        html: '<!doctype html><h1>widget</h1>',
      });
    });

    it('serves the stored report as JSON (the default), Markdown and HTML', async () => {
      const json = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(url)}/report` });
      expect(json.statusCode).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      expect(json.json()).toEqual(sampleReport({ url, commit: COMMIT }));
      expect(json.headers['x-commit']).toBe(COMMIT);

      const md = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(url)}/report?format=md` });
      expect(md.headers['content-type']).toMatch(/^text\/markdown/);
      expect(md.body).toBe('# widget\n\nreport body\n');

      const html = await app.inject({
        method: 'GET',
        url: `/api/repositories/${idOf(url)}/report?format=html&commit=${COMMIT}`,
      });
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.headers['content-security-policy']).toContain("default-src 'none'");
      expect(html.body).toBe('<!doctype html><h1>widget</h1>');
    });

    it('is 404 for another commit or an unknown repository, and 400 for an unknown format', async () => {
      const other = await app.inject({
        method: 'GET',
        url: `/api/repositories/${idOf(url)}/report?commit=${'d'.repeat(40)}`,
      });
      expect(other.statusCode).toBe(404);
      expect(other.json<ErrorReply>().error.code).toBe('REPOLENS_NOT_FOUND');
      const unknown = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(repo('none'))}/report` });
      expect(unknown.statusCode).toBe(404);
      const format = await app.inject({ method: 'GET', url: `/api/repositories/${idOf(url)}/report?format=pdf` });
      expect(format.statusCode).toBe(400);
    });
  });

  describe('POST /api/repositories/:id/reprocess', () => {
    it('publishes a pending task of the stage with the last commit in x-commit', async () => {
      const url = repo('reprocess');
      await record(url, [
        { status: 'cloning', progress: 0, at: T0 },
        { status: 'cloning', progress: 100, at: T0 + 1 },
        { status: 'analyzed', progress: 100, at: T0 + 2 },
      ]);
      const reply = await app.inject({
        method: 'POST',
        url: `/api/repositories/${idOf(url)}/reprocess?from=select_files&priority=5`,
        headers: AUTH,
      });
      expect(reply.statusCode).toBe(202);
      expect(reply.json()).toMatchObject({
        repository_url: url,
        from: 'select_files',
        published: 'task',
        commit: COMMIT,
      });
      const [message, ...more] = await messagesFor(Topics.tasks, url);
      expect(more).toHaveLength(0);
      expect(message?.headers[Headers.commit]).toBe(COMMIT);
      expect(message?.headers[Headers.runId]).toBe('run-1');
      const task = JSON.parse(message?.value.toString('utf8') ?? '') as TaskMessage;
      expect(task).toMatchObject({
        repository_url: url,
        task_type: 'select_files',
        status: 'pending',
        metadata: { priority: 5, retry_count: 0 },
      });
      expect(task.task_id).toBe(reply.json<{ task_id: string }>().task_id);
    });

    it('publishes a discovery message for from=clone', async () => {
      const url = repo('reclone');
      await record(url, [{ status: 'cloning', progress: 0, error: 'network down', at: T0 }], undefined);
      const reply = await app.inject({
        method: 'POST',
        url: `/api/repositories/${idOf(url)}/reprocess?from=clone`,
        headers: AUTH,
      });
      expect(reply.statusCode).toBe(202);
      const [message] = await messagesFor(Topics.discovery, url);
      expect(JSON.parse(message?.value.toString('utf8') ?? '')).toMatchObject({
        repository_url: url,
        source: 'manual',
      });
      expect(await messagesFor(Topics.tasks, url)).toHaveLength(0);
    });

    it('is 409 when no commit is known, 404 for an unknown repository, 400 for a bad stage', async () => {
      const url = repo('never-cloned');
      await record(url, [{ status: 'cloning', progress: 0, error: 'not found', at: T0 }], undefined);
      const conflict = await app.inject({
        method: 'POST',
        url: `/api/repositories/${idOf(url)}/reprocess?from=analyze`,
        headers: AUTH,
      });
      expect(conflict.statusCode).toBe(409);
      expect(conflict.json<ErrorReply>().error.code).toBe('REPOLENS_CONFLICT');
      const unknown = await app.inject({
        method: 'POST',
        url: `/api/repositories/${idOf(repo('ghost'))}/reprocess?from=analyze`,
        headers: AUTH,
      });
      expect(unknown.statusCode).toBe(404);
      for (const query of ['from=deploy', '']) {
        const bad = await app.inject({
          method: 'POST',
          url: `/api/repositories/${idOf(url)}/reprocess?${query}`,
          headers: AUTH,
        });
        expect(bad.statusCode).toBe(400);
      }
      expect(await messagesFor(Topics.tasks, url)).toHaveLength(0);
    });
  });

  describe('DLQ', () => {
    it('lists dead-lettered records and replays one to its original topic', async () => {
      const url = repo('dead');
      await bus.produce([
        {
          topic: Topics.tasks,
          key: url,
          value: Buffer.from('{"not":"a task"}'),
          headers: {},
        },
      ]);
      const [original] = await messagesFor(Topics.tasks, url);
      if (original === undefined) throw new Error('the task was not produced');
      await bus.produce([
        buildDeadLetter({
          received: original,
          groupId: 'task-consumers',
          service: 'selection',
          attempt: 1,
          error: new Error('invalid message'),
          failedAt: Date.now(),
        }),
      ]);
      const list = await app.inject({ method: 'GET', url: '/api/dlq' });
      expect(list.statusCode).toBe(200);
      const page = list.json<{ total: number; entries: { id: string; key: string; original_topic: string }[] }>();
      const entry = page.entries.find((e) => e.key === url);
      expect(entry).toMatchObject({ original_topic: Topics.tasks });
      if (entry === undefined) throw new Error('no DLQ entry');

      const show = await app.inject({ method: 'GET', url: `/api/dlq/${encodeURIComponent(entry.id)}` });
      expect(show.json()).toMatchObject({ value: '{"not":"a task"}', value_encoding: 'utf8' });

      const replay = await app.inject({
        method: 'POST',
        url: `/api/dlq/${encodeURIComponent(entry.id)}/replay`,
        headers: AUTH,
      });
      expect(replay.statusCode).toBe(202);
      expect(replay.json()).toEqual({ replayed: [entry.id] });
      const copies = await messagesFor(Topics.tasks, url);
      expect(copies).toHaveLength(2);
      expect(copies[1]?.value.toString('utf8')).toBe('{"not":"a task"}');
      expect(copies[1]?.headers[Headers.errorCode]).toBeUndefined();
    });

    it('is 404 for a record that does not exist and 400 for a malformed id', async () => {
      const missing = await app.inject({
        method: 'POST',
        url: `/api/dlq/${encodeURIComponent('repository.dlq:0:99999')}/replay`,
        headers: AUTH,
      });
      expect(missing.statusCode).toBe(404);
      const malformed = await app.inject({ method: 'POST', url: '/api/dlq/not-an-id/replay', headers: AUTH });
      expect(malformed.statusCode).toBe(400);
    });
  });

  describe('GET /api/search', () => {
    it('answers exactly the index response, hybrid because the query is embedded', async () => {
      const url = repo('searchable');
      const content = 'export function frobnicateWidget(input) {\n  return input * 2;\n}';
      const chunk: Chunk = {
        path: 'src/frob.ts',
        startLine: 1,
        endLine: 3,
        language: 'TypeScript',
        symbol: 'frobnicateWidget',
        kind: 'function',
        content,
        contentHash: sha(content),
        tokens: 20,
      };
      await createSqlChunkIndex(database.executor).publish({
        repositoryUrl: url,
        commit: COMMIT,
        files: [
          { path: chunk.path, contentHash: sha(content), chunks: [chunk], embeddings: [hashedEmbedding(content, 16)] },
        ],
        reuse: [],
        embeddingModel: `hash-${kind}`,
      });
      const before = server.requests.length;
      const reply = await app.inject({
        method: 'GET',
        url: `/api/search?q=frobnicateWidget&k=3&repository=${encodeURIComponent(url)}`,
      });
      expect(reply.statusCode).toBe(200);
      const body = reply.json<{ mode: string; results: Record<string, unknown>[] }>();
      expect(Object.keys(body).sort()).toEqual(['mode', 'results']);
      expect(body.mode).toBe('hybrid');
      expect(server.requests.slice(before).flatMap((r) => r.inputs)).toEqual(['frobnicateWidget']);
      expect(body.results).toHaveLength(1);
      expect(Object.keys(body.results[0] ?? {}).sort()).toEqual(
        ['commit', 'end_line', 'path', 'repository_url', 'score', 'snippet', 'start_line', 'symbol'].sort(),
      );
      expect(body.results[0]).toMatchObject({ repository_url: url, path: 'src/frob.ts', symbol: 'frobnicateWidget' });
    });

    it('needs q', async () => {
      expect((await app.inject({ method: 'GET', url: '/api/search' })).statusCode).toBe(400);
      expect((await app.inject({ method: 'GET', url: '/api/search?q=x&k=101' })).statusCode).toBe(400);
    });
  });

  describe('OpenAPI', () => {
    it('documents every route with its parameters, and the security of the mutating ones', async () => {
      const reply = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(reply.statusCode).toBe(200);
      const doc = reply.json<{
        openapi: string;
        info: { version: string };
        paths: Record<string, Record<string, { parameters?: { name: string }[]; security?: unknown[] }>>;
        components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
      }>();
      expect(doc.openapi).toMatch(/^3\./);
      expect(doc.info.version).toBe('9.9.9-test');
      const operations = Object.entries(doc.paths)
        .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
        .sort();
      expect(operations).toEqual(
        [
          'GET /healthz',
          'GET /readyz',
          'POST /api/repositories',
          'GET /api/repositories',
          'GET /api/repositories/{id}',
          'GET /api/repositories/{id}/report',
          'POST /api/repositories/{id}/reprocess',
          'GET /api/search',
          'GET /api/dlq',
          'GET /api/dlq/{id}',
          'POST /api/dlq/{id}/replay',
        ].sort(),
      );
      expect(doc.paths['/api/repositories/{id}/reprocess']?.['post']?.parameters?.map((p) => p.name).sort()).toEqual([
        'from',
        'id',
        'priority',
      ]);
      expect(doc.paths['/api/repositories']?.['post']?.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
      expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Error', 'RepositoryDetail']));
      // Every $ref resolves inside the document (no leftover fastify schema ids).
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
      expect(refs.length).toBeGreaterThan(5);
      for (const ref of new Set(refs)) {
        const name = /^"\$ref":"#\/components\/schemas\/([^"]+)"$/.exec(ref)?.[1];
        expect(name, ref).toBeDefined();
        expect(doc.components.schemas[name ?? ''], ref).toBeDefined();
      }
    });
  });

  describe('readiness checks', () => {
    it('reports an unreachable or hung Kafka admin as not ready, with the reason', async () => {
      const refused = createReadiness({
        store,
        admin: { brokerCount: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')) },
      });
      expect(await refused()).toEqual([
        { name: 'database', ok: true },
        { name: 'bus', ok: false, error: 'connect ECONNREFUSED 127.0.0.1:1' },
      ]);
      const hung = createReadiness({
        store,
        admin: { brokerCount: () => new Promise<number>(() => undefined) },
        timeoutMs: 50,
      });
      expect((await hung())[1]).toMatchObject({
        name: 'bus',
        ok: false,
        error: expect.stringMatching(/50 ms/) as unknown,
      });
      const up = createReadiness({ store, admin: { brokerCount: async () => 3 } });
      expect((await up()).every((check) => check.ok)).toBe(true);
    });
  });

  describe('probes', () => {
    it('healthz and readyz are 200 while the database answers; readyz is 503 once it is closed', async () => {
      const health = await app.inject({ method: 'GET', url: '/healthz' });
      expect(health.json()).toEqual({ status: 'ok', version: '9.9.9-test' });
      const ready = await app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({
        status: 'ready',
        checks: [
          { name: 'database', ok: true },
          { name: 'bus', ok: true },
        ],
      });

      // Last test of the suite: it closes the database (afterAll's close is then a no-op).
      await database.close();
      const down = await app.inject({ method: 'GET', url: '/readyz' });
      expect(down.statusCode).toBe(503);
      const body = down.json<{ status: string; checks: { name: string; ok: boolean }[]; error: { code: string } }>();
      expect(body.status).toBe('not_ready');
      expect(body.checks.find((c) => c.name === 'database')?.ok).toBe(false);
      expect(body.error.code).toBe('REPOLENS_NOT_READY');
      // Liveness does not depend on the database, and a data route fails as 503, not 500.
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const list = await app.inject({ method: 'GET', url: '/api/repositories' });
      expect(list.statusCode).toBe(503);
      expect(list.json<ErrorReply>().error.code).toBe('REPOLENS_STORE_CLOSED');
    });
  });
});
