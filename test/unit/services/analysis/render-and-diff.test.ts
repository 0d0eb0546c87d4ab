/** Renderers escape hostile values; diffReports reports exactly what changed. */
import { describe, expect, it } from 'vitest';
import { diffReports } from '../../../../src/services/analysis/diff-reports.js';
import { renderHtml, renderMarkdown } from '../../../../src/services/analysis/render/index.js';
import { sampleReport } from './fixture.js';

const HOSTILE = '<script>alert(1)</script>"\'><img src=x onerror=alert(2)>';

function hostileReport() {
  const report = sampleReport();
  return {
    ...report,
    summary: { ...report.summary, title: HOSTILE, text: `Hello ${HOSTILE} [click](javascript:alert(3)) | cell` },
    dependencies: {
      ...report.dependencies,
      items: [
        { ...report.dependencies.items[0]!, name: `${HOSTILE}|x`, constraint: '![img](https://evil.example/t.png)' },
      ],
    },
    structure: { ...report.structure, entry_points: [{ path: `src/${HOSTILE}.js`, source: 'package.json main' }] },
  };
}

describe('renderers', () => {
  it('HTML escapes every value, loads nothing external and runs no script', () => {
    const html = renderHtml(hostileReport());
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toMatch(/<(link|script|iframe|object|embed)\b/i);
    expect(html).not.toMatch(/<[a-z]+[^>]*\b(src|href)\s*=/i);
    expect(html).toContain("default-src 'none'");
    expect(html).toMatch(/^<!doctype html>/);
  });

  it('Markdown escapes markup, links, images, HTML and table pipes', () => {
    const md = renderMarkdown(hostileReport());
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('](');
    expect(md).toContain('&lt;script&gt;');
    expect(md).toContain('\\!\\[img\\]\\(https\\:');
    // the hostile name's pipe is escaped, so the row still has exactly 5 cells
    const row = md.split('\n').find((line) => line.startsWith('|') && line.includes('evil'));
    expect(row?.split(/(?<!\\)\|/).length).toBe(7);
  });

  it('both show every section, and the first report says so', () => {
    // Markdown escapes punctuation; compare its text without the backslashes.
    for (const text of [renderMarkdown(sampleReport()).replace(/\\/g, ''), renderHtml(sampleReport())]) {
      for (const section of [
        'Summary',
        'Composition',
        'Structure',
        'Dependencies',
        'License',
        'Activity',
        'Complexity',
        'Security posture',
        'Size and cost',
        'Coverage',
      ]) {
        expect(text).toContain(section);
      }
      expect(text).toContain('This is the first report of this repository.');
    }
  });
});

describe('diffReports', () => {
  it('lists changed languages, dependencies, license, score and size', () => {
    const before = sampleReport({ commit: '1'.repeat(40), analyzedAt: '2024-01-01T00:00:00.000Z', score: 5 });
    const base = sampleReport({ commit: '2'.repeat(40), score: 7.5 });
    const after = {
      ...base,
      composition: {
        ...base.composition,
        primary_language: 'Go',
        languages: [
          { ...base.composition.languages[0]!, code: 25 },
          {
            language: 'Go',
            type: 'programming',
            files: 3,
            bytes: 900,
            code: 80,
            comment: 0,
            blank: 5,
            bytes_percent: 75,
          },
        ],
      },
      dependencies: {
        ...base.dependencies,
        items: [
          { ...base.dependencies.items[0]!, constraint: '^4.1.0' },
          {
            name: 'pino',
            constraint: '10',
            scope: 'runtime' as const,
            ecosystem: 'npm' as const,
            manifest_path: 'package.json',
          },
        ],
      },
      license: { ...base.license, spdx_id: 'Apache-2.0' },
      size: { ...base.size, code_lines: 105 },
    };
    expect(diffReports(before, after)).toEqual({
      previous_commit: '1'.repeat(40),
      previous_analyzed_at: '2024-01-01T00:00:00.000Z',
      languages: [
        { language: 'Go', code_before: 0, code_after: 80, files_before: 0, files_after: 3 },
        { language: 'TypeScript', code_before: 20, code_after: 25, files_before: 2, files_after: 2 },
      ],
      primary_language: { before: 'TypeScript', after: 'Go' },
      dependencies: {
        added: [{ name: 'pino', constraint: '10', scope: 'runtime', ecosystem: 'npm', manifest_path: 'package.json' }],
        removed: [],
        changed: [
          {
            name: 'zod',
            constraint: '^4.1.0',
            constraint_before: '^4.0.0',
            scope: 'runtime',
            ecosystem: 'npm',
            manifest_path: 'package.json',
          },
        ],
      },
      license: { before: 'MIT', after: 'Apache-2.0' },
      security_score: { before: 5, after: 7.5 },
      size: {
        code_lines_before: 20,
        code_lines_after: 105,
        files_before: 2,
        files_after: 2,
        tokens_before: 75,
        tokens_after: 75,
      },
    });
  });

  it('an unchanged repository diffs to nothing', () => {
    const diff = diffReports(sampleReport(), sampleReport({ commit: 'b'.repeat(40) }));
    expect(diff).toMatchObject({
      languages: [],
      primary_language: null,
      dependencies: { added: [], removed: [], changed: [] },
      license: null,
      security_score: null,
      size: null,
    });
  });
});
