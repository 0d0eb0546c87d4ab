/** Sections 6, 7 and 9: activity, bus factor, churn hotspots and COCOMO, on hand-made history. */
import { describe, expect, it } from 'vitest';
import { buildActivity, busFactor, churnByPath } from '../../../../src/services/analysis/activity.js';
import { buildComplexity } from '../../../../src/services/analysis/complexity.js';
import { cocomoOrganic } from '../../../../src/services/analysis/size.js';
import { commit } from './fixture.js';

const ANALYZED_AT = new Date('2024-06-01T00:00:00.000Z');

// Newest first, as git log gives it. ana: 4 commits, bob: 2, cy: 1, dee: 1 (8 in all).
const HISTORY = [
  commit('8', 'ana@example.com', '2024-05-31T12:00:00Z', ['src/a.ts', 'src/b.ts'], 'Ana Newname'),
  commit('7', 'bob@example.com', '2024-05-30T12:00:00Z', ['src/a.ts']),
  commit('6', 'ANA@example.com', '2024-05-20T12:00:00Z', ['src/a.ts', 'src/a.ts', 'gone.ts']),
  commit('5', 'cy@example.com', '2024-04-01T00:00:00Z', ['src/c.ts']),
  commit('4', 'ana@example.com', '2024-03-10T00:00:00Z', ['src/b.ts'], 'Ana Oldname'),
  commit('3', 'dee@example.com', '2024-03-09T00:00:00Z', ['README.md']),
  commit('2', 'bob@example.com', '2023-01-01T00:00:00Z', ['src/a.ts']),
  commit('1', 'ana@example.com', '2022-01-01T00:00:00Z', ['src/a.ts', 'src/b.ts', 'src/c.ts']),
];
const PRESENT = new Set(['src/a.ts', 'src/b.ts', 'src/c.ts', 'README.md']);

describe('activity', () => {
  const churn = churnByPath(HISTORY, PRESENT);
  const activity = buildActivity(HISTORY, ANALYZED_AT, churn);

  it('counts commits, contributors by email (case-insensitive), first and last commit', () => {
    expect(activity.commits).toBe(8);
    expect(activity.contributors).toBe(4);
    expect(activity.first_commit_at).toBe('2022-01-01T00:00:00.000Z');
    expect(activity.last_commit_at).toBe('2024-05-31T12:00:00.000Z');
    expect(activity.top_contributors).toEqual([
      { name: 'Ana Newname', commits: 4 },
      { name: 'bob', commits: 2 },
      { name: 'cy', commits: 1 },
      { name: 'dee', commits: 1 },
    ]);
  });

  it('buckets the last 12 weeks ending at the analysis time, oldest first', () => {
    expect(activity.commits_per_week).toHaveLength(12);
    expect(activity.commits_per_week[0]?.week_start).toBe('2024-03-09T00:00:00.000Z');
    expect(activity.commits_per_week.map((w) => w.commits)).toEqual([2, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 2]);
  });

  it('bus factor: fewest authors covering half of the commits', () => {
    expect(activity.bus_factor).toBe(1); // ana has 4 of 8
    expect(busFactor([3, 3, 2, 2])).toBe(2); // 6 of 10
    expect(busFactor([1, 1, 1, 1, 1])).toBe(3); // 3 of 5
    expect(busFactor([])).toBe(0);
  });

  it('churn counts a commit once per file and only files that still exist', () => {
    expect(Object.fromEntries(churn)).toEqual({ 'src/a.ts': 5, 'src/b.ts': 3, 'src/c.ts': 2, 'README.md': 1 });
    expect(activity.top_churn_files).toEqual([
      { path: 'src/a.ts', commits: 5 },
      { path: 'src/b.ts', commits: 3 },
      { path: 'src/c.ts', commits: 2 },
      { path: 'README.md', commits: 1 },
    ]);
  });

  it('hotspots rank complexity × churn; files without churn or complexity are not hotspots', () => {
    const metrics = new Map([
      ['src/a.ts', { code: 10, comment: 0, blank: 0, complexity: 3 }],
      ['src/b.ts', { code: 10, comment: 0, blank: 0, complexity: 7 }],
      ['src/c.ts', { code: 10, comment: 0, blank: 0, complexity: 1 }],
      ['src/new.ts', { code: 10, comment: 0, blank: 0, complexity: 40 }],
      ['README.md', { code: 10, comment: 0, blank: 0, complexity: null }],
    ]);
    expect(buildComplexity(metrics, churn)).toEqual({
      files_measured: 4,
      total: 51,
      average: 12.75,
      max: { path: 'src/new.ts', complexity: 40 },
      hotspots: [
        { path: 'src/b.ts', complexity: 7, churn: 3, score: 21 },
        { path: 'src/a.ts', complexity: 3, churn: 5, score: 15 },
        { path: 'src/c.ts', complexity: 1, churn: 2, score: 2 },
      ],
    });
  });
});

describe('COCOMO basic organic', () => {
  it('10 KLOC: 26.93 person-months over 8.74 months with 3.08 people', () => {
    const { effort, schedule, people } = cocomoOrganic(10_000);
    expect(effort.toFixed(2)).toBe('26.93');
    expect(schedule.toFixed(2)).toBe('8.74');
    expect(people.toFixed(2)).toBe('3.08');
  });

  it('500 lines: 1.16 person-months; nothing for an empty repository', () => {
    expect(cocomoOrganic(500).effort.toFixed(2)).toBe('1.16');
    expect(cocomoOrganic(0)).toEqual({ effort: 0, schedule: 0, people: 0 });
  });
});
