/**
 * `repolens discover` end to end in process: the real command, the in-process bus standing in
 * for Kafka, a real PGlite store for dedupe, a list file on disk and a local GitHub-shaped server.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMemoryBroker,
  createMemoryBus,
  createMemoryBusAdmin,
} from '../../../../src/adapters/bus-memory/index.js';
import type { SqlDatabase } from '../../../../src/adapters/sql/index.js';
import { createSqlStore } from '../../../../src/adapters/sql/sql-store.js';
import { registerDiscoverCommand, type DiscoverDeps } from '../../../../src/cli/commands/discover.js';
import { loadConfig } from '../../../../src/config/load-config.js';
import { Topics } from '../../../../src/contracts/topics.js';
import { decodeMessage } from '../../../../src/contracts/validation.js';
import type { Store } from '../../../../src/ports/store.js';
import { Command } from 'commander';
import { openTestDatabase } from '../../../support/sql-database.js';

const TOKEN = 'ghp_cli_secret_123';

describe('repolens discover', () => {
  let database: SqlDatabase;
  let store: Store;
  let dir: string;
  let server: Server;
  let origin = '';
  const authHeaders: (string | undefined)[] = [];
  const broker = createMemoryBroker();
  broker.createTopic({ name: Topics.discovery, partitions: 3 });
  const admin = createMemoryBusAdmin(broker);

  beforeAll(async () => {
    database = await openTestDatabase('pglite', 'discover_cli');
    store = createSqlStore(database);
    dir = mkdtempSync(join(tmpdir(), 'repolens-discover-'));
    server = createServer((req, res) => {
      authHeaders.push(req.headers.authorization);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify([
          {
            full_name: 'acme/from-forge',
            clone_url: 'https://github.com/acme/from-forge.git',
            archived: false,
            fork: false,
            stargazers_count: 1,
            pushed_at: '2025-01-01T00:00:00Z',
          },
        ]),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
    await database?.close();
  });

  async function run(args: readonly string[]): Promise<{ out: string; err: string; error: unknown }> {
    let out = '';
    let err = '';
    // The command closes its store; the test's database stays open for the next run.
    const keepOpen: Store = { ...store, close: () => Promise.resolve() };
    const deps: DiscoverDeps = {
      io: { out: (text) => (out += text), err: (text) => (err += text) },
      resolveConfig: (flags) => loadConfig({ flags }),
      connectKafka: () => {
        const bus = createMemoryBus(broker);
        return Promise.resolve({ bus, admin, close: () => bus.close() });
      },
      openStore: () => Promise.resolve(keepOpen),
      shutdownSignal: () => new AbortController().signal,
      cwd: dir,
      forgeTokens: { github: TOKEN },
    };
    const program = new Command('repolens').exitOverride();
    registerDiscoverCommand(program, deps);
    try {
      await program.parseAsync(['discover', ...args], { from: 'user' });
      return { out, err, error: undefined };
    } catch (error) {
      return { out, err, error };
    }
  }

  it('publishes manual URLs, list entries and a forge listing with their sources and priorities', async () => {
    writeFileSync(join(dir, 'repos.txt'), '# list\nhttps://github.com/acme/listed 5\n');
    const { out, error } = await run([
      'https://github.com/acme/manual.git',
      '--list',
      'repos.txt',
      '--github',
      'acme',
      '--forge-url',
      origin,
      '--priority',
      '2',
      '--json',
    ]);
    expect(error).toBeUndefined();
    const result = JSON.parse(out) as { published: { url: string; priority: number; source: string }[] };
    expect(result.published.map((p) => [p.url, p.priority, p.source])).toEqual([
      ['https://github.com/acme/manual', 2, 'manual'],
      ['https://github.com/acme/listed', 5, 'automatic'],
      ['https://github.com/acme/from-forge', 2, 'automatic'],
    ]);
    const messages = await admin.readMessages(Topics.discovery);
    expect(messages.map((m) => decodeMessage(Topics.discovery, m.value).repository_url).sort()).toEqual(
      result.published.map((p) => p.url).sort(),
    );
    expect(authHeaders).toEqual([`Bearer ${TOKEN}`]);
    expect(out).not.toContain(TOKEN);
  });

  it('prints what it skipped and rejected with reasons, and fails when anything was rejected', async () => {
    await store.recordStatus(
      {
        repository_url: 'https://github.com/acme/busy',
        status: 'cloning',
        timestamp: new Date().toISOString(),
        details: { stage_duration: 1, progress: 10 },
      },
      { messageKey: 'discover-cli:1' },
    );
    writeFileSync(join(dir, 'bad.txt'), 'https://github.com/acme/ok\nhttps://github.com/acme/x 7\n');
    const before = (await admin.readMessages(Topics.discovery)).length;
    const { out, error } = await run([
      'https://github.com/acme/busy',
      'https://alice:hunter2@example.test',
      '--list',
      'bad.txt',
    ]);
    expect(out).toMatch(/published 1, skipped 1, rejected 2/);
    expect(out).toMatch(/https:\/\/github\.com\/acme\/busy\s+in flight \(cloning 10%/);
    expect(out).toMatch(/bad\.txt:2\s+priority must be 1-5, got "7"/);
    expect(out).toMatch(/https:\/\/example\.test\s+invalid repository URL: the URL names no repository path/);
    expect(out).not.toContain('hunter2');
    expect(error).toMatchObject({ code: 'REPOLENS_INPUT_INVALID' });
    expect((await admin.readMessages(Topics.discovery)).length).toBe(before + 1);
  });
});
