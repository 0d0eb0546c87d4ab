/**
 * Regression guard for the fields the LLM summary added (summary.model,
 * summary.rejected_citations, coverage.fallbacks): they are optional, so a report stored before
 * them still parses, renders and diffs against a new one; report_version stays 1.
 */
import { describe, expect, it } from 'vitest';
import { REPORT_VERSION, ReportSchema } from '../../../../src/contracts/report.js';
import { diffReports, renderMarkdown } from '../../../../src/services/analysis/index.js';
import { sampleReport } from './fixture.js';

describe('reports written before the LLM summary fields', () => {
  it('still parse, render and diff against a report with an LLM summary', () => {
    const old = sampleReport({ commit: '1'.repeat(40) });
    expect(old.summary).not.toHaveProperty('model');
    expect(old.coverage).not.toHaveProperty('fallbacks');
    expect(ReportSchema.parse(old)).toEqual(old);
    expect(REPORT_VERSION).toBe(1);
    expect(renderMarkdown(old).replace(/\\/g, '')).toContain('**fallbacks**: none');

    const current = ReportSchema.parse({
      ...sampleReport(),
      summary: {
        generated_by: 'llm',
        title: 'widget',
        text: 'Widget renders dashboards [README.md:1-3].',
        readme_path: 'README.md',
        citations: [{ path: 'README.md', start_line: 1, end_line: 3 }],
        model: 'llama3.2',
        rejected_citations: [],
      },
      coverage: { ...sampleReport().coverage, fallbacks: [] },
    });
    expect(diffReports(old, current).previous_commit).toBe('1'.repeat(40));
  });
});
