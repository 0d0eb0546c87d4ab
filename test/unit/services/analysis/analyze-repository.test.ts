/** The whole analysis on fixture repositories: every section from known files, manifest and history. */
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportSchema, type Report } from '../../../../src/contracts/report.js';
import { analyzeRepository, type AnalyzeInput } from '../../../../src/services/analysis/index.js';
import { commit, makeFixture, type Fixture } from './fixture.js';

const MIT = `MIT License

Copyright (c) 2024 Widget Authors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the "Software"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
`;

// 7 lines: 1 comment, 1 blank, 5 code; complexity 1 + if + && = 3.
const INDEX_TS = `// entry point
import { a } from './a.js';

export function main(x: number): number {
  if (x > 1 && x < 5) return a(x);
  return 0;
}
`;
const A_TS = 'export const a = (x: number): number => x * 2;\n';
const A_TEST_TS = "import { a } from '../src/a.js';\n\nif (a(1) !== 2) throw new Error('a');\n";

const README = `# Widget

[![build](https://ci.example/badge.svg)](https://ci.example)

Widget renders **fast** widgets
for [dashboards](https://dash.example).

## Install
`;

const FILES = {
  'README.md': README,
  LICENSE: MIT,
  'package.json': JSON.stringify({
    name: 'widget',
    main: 'src/index.ts',
    dependencies: { express: '^4.21.0' },
    devDependencies: { vitest: '^4.0.0' },
  }),
  'src/index.ts': INDEX_TS,
  'src/a.ts': A_TS,
  'test/a.test.ts': { content: A_TEST_TS, category: 'test' as const },
  'docs/guide.md': { content: '# Guide\n\nRead me.\n', category: 'docs' as const },
  'vendor/lib.js': { content: 'var x = 1;\n', vendored: true },
  'dist/bundle.js': { content: 'var y = 2;\n', generated: true },
  '.github/workflows/ci.yml': { content: 'on: push\njobs: {}\n', language: 'YAML' },
};

const ANALYZED_AT = new Date('2024-06-01T00:00:00.000Z');
const HISTORY = [
  commit('3', 'ana@example.com', '2024-05-30T00:00:00Z', ['src/index.ts', 'src/a.ts']),
  commit('2', 'bob@example.com', '2024-05-01T00:00:00Z', ['src/index.ts']),
  commit('1', 'ana@example.com', '2024-01-01T00:00:00Z', Object.keys(FILES)),
];

function input(fixture: Fixture, extra: Partial<AnalyzeInput> = {}): AnalyzeInput {
  return {
    repositoryUrl: 'https://example.com/acme/widget.git',
    defaultBranch: 'main',
    commit: 'c'.repeat(40),
    analyzedAt: ANALYZED_AT,
    repolensVersion: '0.1.0',
    root: fixture.root,
    manifest: fixture.manifest,
    history: HISTORY,
    ...extra,
  };
}

describe('analyzeRepository on a fixture repository', () => {
  let fixture: Fixture;
  let report: Report;
  const progress: number[] = [];
  beforeAll(async () => {
    fixture = await makeFixture(FILES);
    // Hostile: a symlink out of the checkout that selection (wrongly) marked as source.
    await symlink('/etc/passwd', join(fixture.root, 'src/leak.ts'));
    const manifest = {
      ...fixture.manifest,
      files: [
        ...fixture.manifest.files,
        { ...fixture.manifest.files.find((f) => f.path === 'src/a.ts')!, path: 'src/leak.ts', bytes: 100 },
      ],
    };
    report = await analyzeRepository(
      input({ ...fixture, manifest }, { onProgress: (p) => progress.push(p), failedStages: ['load_rag'] }),
    );
  });
  afterAll(async () => fixture.cleanup());

  it('satisfies the report schema and carries the identity', () => {
    expect(ReportSchema.parse(report)).toEqual(report);
    expect(report.identity).toEqual({
      repository_url: 'https://example.com/acme/widget.git',
      default_branch: 'main',
      commit: 'c'.repeat(40),
      analyzed_at: '2024-06-01T00:00:00.000Z',
      repolens_version: '0.1.0',
    });
    expect(report.changes_since_previous).toBeNull();
  });

  it('composition: TypeScript lines exactly, vendored/generated left out, shares of all files', () => {
    const ts = report.composition.languages.find((l) => l.language === 'TypeScript');
    expect(ts).toEqual({
      language: 'TypeScript',
      type: 'programming',
      files: 4, // index, a, a.test and the symlink the manifest claims
      bytes: Buffer.byteLength(INDEX_TS + A_TS + A_TEST_TS) + 100,
      code: 5 + 1 + 2,
      comment: 1,
      blank: 1 + 1,
      bytes_percent: 100,
    });
    expect(report.composition.primary_language).toBe('TypeScript');
    expect(report.composition.languages.map((l) => l.language)).not.toContain('JavaScript');
    expect(report.composition.vendored_percent).toBe(9.09); // 1 of 11
    expect(report.composition.generated_percent).toBe(9.09);
    expect(report.composition.test_percent).toBe(9.09);
    expect(report.composition.docs_percent).toBe(9.09);
    const sum = report.composition.languages.reduce((s, l) => s + l.code, 0);
    expect(report.composition.totals.code).toBe(sum);
  });

  it('structure, dependencies and license', () => {
    expect(report.structure.build_systems).toEqual(['npm']);
    expect(report.structure.frameworks.map((f) => f.name)).toEqual(['Express', 'Vitest']);
    expect(report.structure.entry_points).toEqual([{ path: 'src/index.ts', source: 'package.json main' }]);
    expect(report.structure.ci_files).toEqual([{ path: '.github/workflows/ci.yml', provider: 'github-actions' }]);
    expect(report.dependencies.items.map((d) => `${d.name} ${d.constraint} ${d.scope}`)).toEqual([
      'express ^4.21.0 runtime',
      'vitest ^4.0.0 dev',
    ]);
    expect(report.license).toMatchObject({ spdx_id: 'MIT', confidence: 1, file: 'LICENSE', source: 'file' });
  });

  it('activity, complexity and hotspots', () => {
    expect(report.activity).toMatchObject({ commits: 3, contributors: 2, bus_factor: 1 });
    expect(report.complexity.max).toEqual({ path: 'src/index.ts', complexity: 3 });
    expect(report.complexity.hotspots[0]).toEqual({ path: 'src/index.ts', complexity: 3, churn: 3, score: 9 });
  });

  it('security, size and coverage (the escaping symlink is unreadable, never read)', () => {
    expect(report.security.ci_present).toBe(true);
    expect(report.security.lock_files).toEqual([]);
    expect(report.size.code_lines).toBe(report.composition.totals.code);
    expect(report.size.cocomo.model).toBe('basic-organic');
    expect(report.coverage.files_unreadable).toEqual(['src/leak.ts']);
    expect(report.coverage.failed_stages).toEqual(['load_rag']);
    expect(JSON.stringify(report)).not.toContain('root:x:0:0');
  });

  it('summary: README title and first prose paragraph with a citation, then the facts', () => {
    expect(report.summary.generated_by).toBe('deterministic');
    expect(report.summary.title).toBe('Widget');
    expect(report.summary.readme_path).toBe('README.md');
    expect(report.summary.citations).toEqual([{ path: 'README.md', start_line: 5, end_line: 6 }]);
    expect(report.summary.text.split('\n\n')[0]).toBe('Widget renders fast widgets for dashboards.');
    expect(report.summary.text).toContain('It builds with npm. It uses Express and Vitest.');
    expect(report.summary.text).toContain('License: MIT.');
  });

  it('reports progress from 0 to 100 without going backwards', () => {
    expect(progress[0]).toBe(0);
    expect(progress.at(-1)).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });
});

describe('analyzeRepository edge cases', () => {
  it('a README-less, history-less repository gets a facts-only summary', async () => {
    const fixture = await makeFixture({
      'main.go': 'package main\n\nfunc main() {}\n',
      'go.mod': 'module x\n\ngo 1.22\n',
    });
    try {
      const report = await analyzeRepository(input(fixture, { history: [] }));
      expect(report.summary).toEqual({
        generated_by: 'deterministic',
        title: 'widget',
        text: 'widget is a Go project of 1 file and 2 lines of code. It builds with go. No license was detected.',
        readme_path: null,
        citations: [],
      });
      expect(report.activity).toMatchObject({ commits: 0, contributors: 0, bus_factor: 0, first_commit_at: null });
      expect(report.structure.entry_points).toEqual([{ path: 'main.go', source: 'Go package main by convention' }]);
    } finally {
      await fixture.cleanup();
    }
  });

  it('fills changes_since_previous from the previous report', async () => {
    const fixture = await makeFixture(FILES);
    try {
      const first = await analyzeRepository(input(fixture, { commit: '1'.repeat(40) }));
      const second = await analyzeRepository(input(fixture, { previous: first }));
      expect(second.changes_since_previous).toEqual({
        previous_commit: '1'.repeat(40),
        previous_analyzed_at: '2024-06-01T00:00:00.000Z',
        languages: [],
        primary_language: null,
        dependencies: { added: [], removed: [], changed: [] },
        license: null,
        security_score: null,
        size: null,
      });
    } finally {
      await fixture.cleanup();
    }
  });

  it('stops with a retryable error when aborted', async () => {
    const fixture = await makeFixture(FILES);
    try {
      await expect(analyzeRepository(input(fixture, { signal: AbortSignal.abort() }))).rejects.toMatchObject({
        code: 'REPOLENS_TIMEOUT',
        retryable: true,
      });
    } finally {
      await fixture.cleanup();
    }
  });
});
