/**
 * The analysis with an LLM configured, on real parts: a fixture checkout loaded into the SQL
 * chunk index (PGlite) by the real chunker and RAG loader, the OpenAI-compatible adapter, and a
 * local chat server. The summary is the model's, with its model name and only the citations found
 * in the context it was given; whenever the model cannot do better (errors after retries, a
 * hanging server, no usable text, no valid citation, no context for the commit) the report keeps
 * the deterministic summary and says why in coverage.fallbacks; an abort still stops the stage.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAiLlm } from '../../src/adapters/llm-openai/index.js';
import { createSqlChunkIndex, type SqlDatabase } from '../../src/adapters/sql/index.js';
import type { Report } from '../../src/contracts/report.js';
import type { ChunkIndex } from '../../src/ports/chunk-index.js';
import type { Manifest } from '../../src/ports/manifest-store.js';
import {
  analyzeRepository,
  renderHtml,
  renderMarkdown,
  type AnalyzeInput,
  type LlmSummaryDeps,
} from '../../src/services/analysis/index.js';
import { createChunker } from '../../src/services/rag/chunking/index.js';
import { loadRepository } from '../../src/services/rag/rag-loader.js';
import { MISSING_CITATION, startChatServer, type ChatServer } from '../support/chat-server.js';
import { openTestDatabase } from '../support/sql-database.js';
import { commit, makeFixture, type Fixture } from '../unit/services/analysis/fixture.js';

const URL = 'https://example.com/acme/widget.git';
const COMMIT = 'c'.repeat(40);

// 7 lines; the context's README snippet is 1-7 (the trailing newline adds no line worth citing).
const README = `# Widget

Widget renders fast dashboards from a YAML file.

## Usage

Run \`widget serve dashboard.yml\` and open the printed address.
`;

const FILES = {
  'README.md': README,
  'package.json': JSON.stringify({ name: 'widget', main: 'src/main.ts', bin: { widget: 'src/main.ts' } }),
  'src/main.ts': `import { loadConfig } from './config.js';

/** Entry point of the command line: parses arguments and starts the server. */
export function main(argv: string[]): number {
  const config = loadConfig(argv[2] ?? 'dashboard.yml');
  return startServer(config.port);
}

function startServer(port: number): number {
  return port;
}
`,
  'src/config.ts': `/** Configuration options read from the environment and the dashboard file. */
export interface Config {
  readonly port: number;
}

export function loadConfig(path: string): Config {
  return { port: Number(path.length) };
}
`,
};

interface Label {
  path: string;
  start: number;
  end: number;
}

/** The snippet labels of the prompt the server received: what the model was shown. */
function shownLabels(server: ChatServer): Label[] {
  const prompt = server.requests.at(-1)?.messages.find((m) => m.role === 'user')?.content ?? '';
  return [...prompt.matchAll(/^\[\d+\] (\S+):(\d+)-(\d+)$/gm)].map((m) => ({
    path: m[1] ?? '',
    start: Number(m[2]),
    end: Number(m[3]),
  }));
}

function insideShown(citation: Report['summary']['citations'][number], labels: readonly Label[]): boolean {
  return labels.some((l) => l.path === citation.path && citation.start_line >= l.start && citation.end_line <= l.end);
}

describe('analysis with an LLM-written summary', () => {
  let database: SqlDatabase;
  let index: ChunkIndex;
  let fixture: Fixture;
  let manifest: Manifest;
  let chat: ChatServer;
  let deterministic: Report;

  const llm = (options: { timeoutMs?: number; maxRetries?: number } = {}): LlmSummaryDeps => ({
    llm: createOpenAiLlm({ baseUrl: `${chat.url}/v1`, model: 'test-model', sleep: async () => {}, ...options }),
    index,
  });
  const input = (extra: Partial<AnalyzeInput> = {}): AnalyzeInput => ({
    repositoryUrl: URL,
    defaultBranch: 'main',
    commit: COMMIT,
    analyzedAt: new Date('2024-06-01T00:00:00.000Z'),
    repolensVersion: '0.1.0',
    root: fixture.root,
    manifest,
    history: [commit('1', 'ana@example.com', '2024-05-01T00:00:00Z', Object.keys(FILES))],
    ...extra,
  });

  beforeAll(async () => {
    database = await openTestDatabase('pglite');
    index = createSqlChunkIndex(database.executor);
    fixture = await makeFixture(FILES);
    // The RAG loader indexes included files that File Selection hashed.
    manifest = {
      ...fixture.manifest,
      commit: COMMIT,
      files: fixture.manifest.files.map((f) => ({
        ...f,
        contentHash: createHash('sha256').update(f.path).digest('hex'),
      })),
    };
    await loadRepository({
      repositoryUrl: URL,
      commit: COMMIT,
      root: fixture.root,
      files: manifest.files,
      chunker: await createChunker(),
      index,
      signal: new AbortController().signal,
    });
    chat = await startChatServer();
    deterministic = await analyzeRepository(input());
  }, 60_000);

  afterAll(async () => {
    await chat?.close();
    await fixture?.cleanup();
    await database?.close();
  });

  beforeEach(() => {
    chat.requests.length = 0;
    chat.setMode('cite-context');
  });

  it('without an LLM the summary is deterministic and there is nothing to fall back from', () => {
    expect(deterministic.summary.generated_by).toBe('deterministic');
    expect(deterministic.summary.model).toBeUndefined();
    expect(deterministic.coverage.fallbacks).toEqual([]);
  });

  it('writes the summary from the README and indexed chunks, with the model name and checked citations', async () => {
    const report = await analyzeRepository(input({ llmSummary: llm() }));
    expect(chat.requests).toHaveLength(1);
    const labels = shownLabels(chat);
    expect(labels[0]).toEqual({ path: 'README.md', start: 1, end: 7 });
    // The RAG index contributed code, read back at exactly the labelled lines.
    expect(labels.some((l) => l.path.startsWith('src/'))).toBe(true);
    const prompt = chat.requests[0]?.messages.find((m) => m.role === 'user')?.content ?? '';
    expect(prompt).toContain('1| # Widget');
    expect(prompt).toContain('widget is a TypeScript project');
    expect(chat.requests[0]?.messages[0]?.role).toBe('system');

    expect(report.summary).toMatchObject({
      generated_by: 'llm',
      model: 'test-model',
      title: 'Widget',
      readme_path: 'README.md',
      rejected_citations: [],
    });
    expect(report.summary.text).toContain('[README.md:1-7]');
    expect(report.summary.citations[0]).toEqual({ path: 'README.md', start_line: 1, end_line: 7 });
    expect(report.summary.citations.length).toBeGreaterThanOrEqual(2);
    for (const citation of report.summary.citations) expect(insideShown(citation, labels), citation.path).toBe(true);
    expect(report.coverage.fallbacks).toEqual([]);
    // Everything else is the same analysis.
    expect({ ...report, summary: null }).toEqual({ ...deterministic, summary: null });
  });

  it('drops citations of files or lines outside the context from the list and flags them in the text', async () => {
    chat.setMode('cite-missing');
    const report = await analyzeRepository(input({ llmSummary: llm() }));
    const labels = shownLabels(chat);
    expect(report.summary.generated_by).toBe('llm');
    for (const citation of report.summary.citations) expect(insideShown(citation, labels)).toBe(true);
    expect(report.summary.citations).not.toContainEqual(expect.objectContaining({ path: 'src/does-not-exist.ts' }));
    expect(report.summary.rejected_citations).toEqual([
      { path: 'src/does-not-exist.ts', start_line: 1, end_line: 3 },
      { path: 'README.md', start_line: 1007, end_line: 1007 },
    ]);
    expect(report.summary.text).toContain(`[not in context: ${MISSING_CITATION}]`);
    expect(report.summary.text).toContain('[not in context: README.md:1007]');
  });

  it('falls back to the deterministic summary, saying why, when the server keeps failing or hangs', async () => {
    chat.failNext({ status: 500 }, { status: 503 }, { status: 500 });
    const failed = await analyzeRepository(input({ llmSummary: llm() }));
    expect(chat.requests.map((r) => r.status)).toEqual([500, 503, 500]);
    expect(failed.summary).toEqual(deterministic.summary);
    expect(failed.coverage.fallbacks).toHaveLength(1);
    expect(failed.coverage.fallbacks?.[0]?.section).toBe('summary');
    expect(failed.coverage.fallbacks?.[0]?.reason).toMatch(
      /test-model failed: REPOLENS_UNAVAILABLE: .*500.*after 3 attempts/,
    );

    chat.requests.length = 0;
    chat.failNext({ hang: true });
    const hung = await analyzeRepository(input({ llmSummary: llm({ timeoutMs: 1000, maxRetries: 0 }) }));
    expect(hung.summary).toEqual(deterministic.summary);
    expect(hung.coverage.fallbacks?.[0]?.reason).toMatch(/REPOLENS_TIMEOUT: .*took over 1000 ms/);
  });

  it('falls back when the answer is empty or cites nothing it was shown', async () => {
    chat.setMode('empty');
    const empty = await analyzeRepository(input({ llmSummary: llm() }));
    expect(empty.summary).toEqual(deterministic.summary);
    expect(empty.coverage.fallbacks).toEqual([
      { section: 'summary', reason: 'the model test-model returned no usable text' },
    ]);

    chat.setMode('cite-only-missing');
    const unfounded = await analyzeRepository(input({ llmSummary: llm() }));
    expect(unfounded.summary.generated_by).toBe('deterministic');
    expect(unfounded.coverage.fallbacks?.[0]?.reason).toMatch(/every citation .* was outside the context .*2 rejected/);
  });

  it('leaves a reasoning block out of the summary', async () => {
    chat.setMode('think');
    const report = await analyzeRepository(input({ llmSummary: llm() }));
    expect(report.summary.generated_by).toBe('llm');
    expect(report.summary.text).not.toMatch(/think|does-not-exist/);
    expect(report.summary.rejected_citations).toEqual([]);
  });

  it('does not ask the model when the index holds another commit', async () => {
    const report = await analyzeRepository(input({ commit: 'd'.repeat(40), llmSummary: llm() }));
    expect(chat.requests).toHaveLength(0);
    expect(report.summary.generated_by).toBe('deterministic');
    expect(report.coverage.fallbacks?.[0]?.reason).toMatch(
      /the RAG index holds commit cccccccccccc, not the analysed one/,
    );
  });

  it('an abort while the model works stops the analysis instead of falling back', async () => {
    chat.failNext({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 300);
    await expect(
      analyzeRepository(input({ llmSummary: llm({ timeoutMs: 30_000 }), signal: controller.signal })),
    ).rejects.toThrow('shutting down');
  });

  it('Markdown and HTML label the summary as model-written, name the model and list the citations', async () => {
    chat.setMode('cite-missing');
    const report = await analyzeRepository(input({ llmSummary: llm() }));
    const md = renderMarkdown(report).replace(/\\/g, '');
    expect(md).toContain('Written by a language model (test-model)');
    expect(md).toContain('**generated by**: llm (model-written by test-model)');
    expect(md).toContain('**cited**: README.md lines 1-7');
    expect(md).toContain(
      '**rejected citation**: src/does-not-exist.ts lines 1-3 (not in the context the model was given)',
    );
    const html = renderHtml(report);
    expect(html).toContain('Written by a language model (test-model)');
    expect(html).toContain('<dt>cited</dt><dd>README.md lines 1-7</dd>');

    chat.failNext({ status: 500 }, { status: 500 }, { status: 500 });
    const fallback = renderMarkdown(await analyzeRepository(input({ llmSummary: llm() }))).replace(/\\/g, '');
    expect(fallback).toContain('**generated by**: deterministic');
    expect(fallback).toMatch(/\*\*model-written summary\*\*: not used: the model test-model failed/);
    expect(fallback).toMatch(/\*\*fallbacks\*\*: summary: the model test-model failed/);
  });
});
