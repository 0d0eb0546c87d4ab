/**
 * `repolens analyze` with an LLM configured through the environment (issue 8, section 10): a
 * repository served by `git daemon` is analysed in one process against a local OpenAI-compatible
 * chat server; the Markdown report carries the model-written summary, labelled with the model
 * name, with a citation of lines the model was shown. The API key reaches the server as a Bearer
 * token and nothing the CLI prints; `config print` masks it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startChatServer, type ChatServer } from '../support/chat-server.js';
import {
  createRepoRoot,
  startGitDaemon,
  type BareRepo,
  type RepoRoot,
  type TestServer,
} from '../support/git-server.js';

const KEY = 'sk-e2e-llm-5ecret';

let root: RepoRoot;
let daemon: TestServer;
let repo: BareRepo;
let chat: ChatServer;
let scratch: string;

beforeAll(async () => {
  root = await createRepoRoot();
  repo = await root.createBareRepo('gauge', {
    'README.md': '# gauge\n\nGauge measures how long shell commands take.\n',
    'package.json': JSON.stringify({ name: 'gauge', version: '1.0.0', bin: { gauge: 'src/cli.ts' } }),
    'src/cli.ts': `/** Command line entry point: runs the command and prints its duration. */\nexport function main(args: string[]): number {\n  const started = Date.now();\n  return Date.now() - started + args.length;\n}\n`,
  });
  daemon = await startGitDaemon(root.dir);
  chat = await startChatServer();
  scratch = mkdtempSync(join(tmpdir(), 'repolens-llm-'));
}, 60_000);

afterAll(async () => {
  await chat?.close();
  await daemon?.close();
  await root?.remove();
  rmSync(scratch, { recursive: true, force: true });
});

describe('repolens analyze with an LLM', () => {
  it('writes the model-written summary, with its model and a checked citation, into the Markdown report', async () => {
    const url = daemon.url(repo.name).replace(/\.git$/, '');
    const result = await runCli(['analyze', '--json', url], {
      env: {
        REPOLENS_DATA_DIR: join(scratch, 'data'),
        REPOLENS_GIT_PROTOCOLS: 'git',
        REPOLENS_LLM_URL: `${chat.url}/v1`,
        REPOLENS_LLM_MODEL: 'test-model',
        REPOLENS_LLM_API_KEY: KEY,
      },
      timeoutMs: 180_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const [entry] = (JSON.parse(result.stdout) as { repositories: { reports: { md: string; json: string } | null }[] })
      .repositories;

    expect(chat.requests).toHaveLength(1);
    expect(chat.requests[0]).toMatchObject({ model: 'test-model', authorization: `Bearer ${KEY}`, status: 200 });
    const report = JSON.parse(readFileSync(entry?.reports?.json ?? '', 'utf8')) as {
      summary: { generated_by: string; model?: string; citations: { path: string }[] };
      coverage: { fallbacks?: unknown[] };
    };
    expect(report.summary).toMatchObject({ generated_by: 'llm', model: 'test-model' });
    expect(report.summary.citations[0]).toEqual({ path: 'README.md', start_line: 1, end_line: 3 });
    expect(report.coverage.fallbacks).toEqual([]);

    // Markdown escapes brackets; compare its text without the backslashes.
    const md = readFileSync(entry?.reports?.md ?? '', 'utf8').replace(/\\/g, '');
    expect(md).toContain('Written by a language model (test-model)');
    expect(md).toContain('This project is summarised by the test model from its sources [README.md:1-3].');
    expect(md).toContain('**cited**: README.md lines 1-3');
    for (const output of [result.stdout, result.stderr, md]) expect(output).not.toContain(KEY);
  }, 200_000);

  it('config print masks the LLM API key', async () => {
    const printed = await runCli(['config', 'print', '--json'], {
      env: { REPOLENS_LLM_URL: `${chat.url}/v1`, REPOLENS_LLM_MODEL: 'test-model', REPOLENS_LLM_API_KEY: KEY },
    });
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).not.toContain(KEY);
    expect(JSON.parse(printed.stdout)).toMatchObject({ llmApiKey: '********', llmModel: 'test-model' });
  });
});
