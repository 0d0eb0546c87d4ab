/**
 * Fixture repositories for the analysis tests: files written to a temp dir, a hand-made Manifest
 * (the decisions File Selection would record) and hand-made commit records.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Report } from '../../../../src/contracts/report.js';
import type { CommitRecord } from '../../../../src/ports/git.js';
import type { FileCategory, FileDecision, Manifest, SecretFinding } from '../../../../src/ports/manifest-store.js';

const LANGUAGES: Readonly<Record<string, string>> = {
  ts: 'TypeScript',
  js: 'JavaScript',
  py: 'Python',
  go: 'Go',
  rs: 'Rust',
  md: 'Markdown',
  json: 'JSON',
  yml: 'YAML',
  yaml: 'YAML',
  toml: 'TOML',
  rb: 'Ruby',
  java: 'Java',
  css: 'CSS',
};

export interface FixtureFile {
  readonly content: string;
  readonly category?: FileCategory;
  readonly vendored?: boolean;
  readonly generated?: boolean;
  readonly included?: boolean;
  readonly language?: string | null;
}

export interface Fixture {
  readonly root: string;
  readonly manifest: Manifest;
  cleanup(): Promise<void>;
}

export function languageOf(path: string): string | null {
  const ext = path.split('.').pop() ?? '';
  return LANGUAGES[ext] ?? null;
}

export async function makeFixture(
  files: Readonly<Record<string, string | FixtureFile>>,
  options: { secrets?: readonly SecretFinding[]; partial?: boolean; coveragePercent?: number } = {},
): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'repolens-analysis-'));
  const decisions: FileDecision[] = [];
  for (const [path, spec] of Object.entries(files)) {
    const file: FixtureFile = typeof spec === 'string' ? { content: spec } : spec;
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), file.content);
    const included = file.included ?? !(file.vendored === true || file.generated === true);
    const bytes = Buffer.byteLength(file.content);
    decisions.push({
      path,
      included,
      reason: included
        ? 'included'
        : file.vendored === true
          ? 'vendored'
          : file.generated === true
            ? 'generated'
            : 'default_ignore',
      rule: 'fixture',
      language: file.language === undefined ? languageOf(path) : file.language,
      category: file.category ?? (path.startsWith('docs/') ? 'docs' : /test/.test(path) ? 'test' : 'source'),
      vendored: file.vendored ?? false,
      generated: file.generated ?? false,
      bytes,
      tokens: Math.ceil(bytes / 4),
      contentHash: null,
      rank: included ? 1 : null,
    });
  }
  const included = decisions.filter((d) => d.included);
  const byReason: Record<string, number> = {};
  for (const d of decisions) byReason[d.reason] = (byReason[d.reason] ?? 0) + 1;
  const manifest: Manifest = {
    repositoryUrl: 'https://example.com/acme/widget.git',
    commit: 'a'.repeat(40),
    files: decisions,
    secrets: options.secrets ?? [],
    totals: {
      files: decisions.length,
      included: included.length,
      excluded: decisions.length - included.length,
      includedBytes: included.reduce((s, d) => s + d.bytes, 0),
      includedTokens: included.reduce((s, d) => s + (d.tokens ?? 0), 0),
      byReason,
    },
    budget: null,
    partial: options.partial ?? false,
    coveragePercent: options.coveragePercent ?? 100,
  };
  return { root, manifest, cleanup: () => rm(root, { recursive: true, force: true }) };
}

export function commit(
  sha: string,
  email: string,
  at: string,
  files: readonly string[],
  name = email.split('@')[0] ?? email,
): CommitRecord {
  return { sha: sha.padEnd(40, '0'), authorName: name, authorEmail: email, authoredAt: new Date(at), files };
}

/** A small valid report, for store and renderer tests that need one without analysing. */
export function sampleReport(
  overrides: { url?: string; commit?: string; analyzedAt?: string; score?: number | null } = {},
): Report {
  const url = overrides.url ?? 'https://example.com/acme/widget.git';
  return {
    report_version: 1,
    identity: {
      repository_url: url,
      default_branch: 'main',
      commit: overrides.commit ?? 'a'.repeat(40),
      analyzed_at: overrides.analyzedAt ?? '2024-06-01T00:00:00.000Z',
      repolens_version: '0.1.0',
    },
    composition: {
      languages: [
        {
          language: 'TypeScript',
          type: 'programming',
          files: 2,
          bytes: 300,
          code: 20,
          comment: 2,
          blank: 3,
          bytes_percent: 100,
        },
      ],
      primary_language: 'TypeScript',
      totals: { files: 2, bytes: 300, code: 20, comment: 2, blank: 3 },
      vendored_percent: 0,
      generated_percent: 0,
      test_percent: 50,
      docs_percent: 0,
    },
    structure: {
      manifests: [{ path: 'package.json', ecosystem: 'npm', kind: 'package.json' }],
      build_systems: ['npm'],
      frameworks: [],
      entry_points: [],
      ci_files: [],
      container_files: [],
      infrastructure_files: [],
      workspaces: [],
    },
    dependencies: {
      total: 1,
      by_ecosystem: { npm: 1 },
      items: [{ name: 'zod', constraint: '^4.0.0', scope: 'runtime', ecosystem: 'npm', manifest_path: 'package.json' }],
      truncated: false,
    },
    license: { spdx_id: 'MIT', confidence: 1, file: 'LICENSE', source: 'file', declared: [] },
    activity: {
      commits: 1,
      contributors: 1,
      first_commit_at: '2024-05-01T00:00:00.000Z',
      last_commit_at: '2024-05-01T00:00:00.000Z',
      commits_per_week: [],
      bus_factor: 1,
      top_contributors: [{ name: 'ana', commits: 1 }],
      top_churn_files: [],
    },
    complexity: { files_measured: 2, total: 4, average: 2, max: { path: 'src/a.ts', complexity: 3 }, hotspots: [] },
    security: {
      score: overrides.score === undefined ? 5 : overrides.score,
      checks: [],
      secrets: [],
      security_policy: null,
      lock_files: [],
      ci_present: false,
      dangerous_workflow_patterns: [],
    },
    size: {
      files: 2,
      bytes: 300,
      code_lines: 20,
      tokens_included: 75,
      tokens_all: 75,
      kloc: 0.02,
      cocomo: { model: 'basic-organic', effort_person_months: 0.04, schedule_months: 0.75, people: 0.05 },
    },
    summary: {
      generated_by: 'deterministic',
      title: 'widget',
      text: 'widget is a TypeScript project.',
      readme_path: null,
      citations: [],
    },
    coverage: {
      files_total: 2,
      included: 2,
      excluded: 0,
      excluded_by_reason: {},
      budget: null,
      partial: false,
      coverage_percent: 100,
      files_counted: 2,
      files_unreadable: [],
      failed_stages: [],
      warnings: [],
    },
    changes_since_previous: null,
  };
}
