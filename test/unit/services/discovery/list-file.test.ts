/** The repository list file: URLs, optional priorities, comments, and problems named by line. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRepositoryList, readRepositoryList } from '../../../../src/services/discovery/list-file.js';

describe('parseRepositoryList', () => {
  it('reads URLs with optional priorities, skipping comments and blank lines, keeping line numbers', () => {
    const text = [
      '\uFEFF# repositories to analyse',
      'https://github.com/acme/alpha',
      '',
      '   https://github.com/acme/beta   5   ',
      'git@github.com:acme/gamma.git\t2 # the old one',
      '  # indented comment',
      'https://github.com/acme/delta#readme',
      '\r',
    ].join('\r\n');
    const { entries, problems } = parseRepositoryList(text);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { url: 'https://github.com/acme/alpha', line: 2 },
      { url: 'https://github.com/acme/beta', priority: 5, line: 4 },
      { url: 'git@github.com:acme/gamma.git', priority: 2, line: 5 },
      // A `#` inside a URL is a fragment, not a comment; the publisher drops it when normalizing.
      { url: 'https://github.com/acme/delta#readme', line: 7 },
    ]);
  });

  it('names each bad line and still returns the good ones', () => {
    const { entries, problems } = parseRepositoryList(
      [
        'https://github.com/acme/ok 3',
        'https://github.com/acme/high 6',
        'https://github.com/acme/word high',
        'https://github.com/acme/extra 1 2',
        'https://alice:hunter2@github.com/acme/secret 0',
      ].join('\n'),
    );
    expect(entries.map((e) => e.line)).toEqual([1]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5]);
    const reasons = problems.map((p) => p.reason);
    expect(reasons[0]).toMatch(/priority must be 1-5, got "6"/);
    expect(reasons[1]).toMatch(/priority must be 1-5, got "high"/);
    expect(reasons[2]).toMatch(/expected "<url> \[priority\]", found 3 fields/);
    expect(reasons[3]).toMatch(/got "0"/);
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('readRepositoryList', () => {
  const dir = mkdtempSync(join(tmpdir(), 'repolens-list-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file and names a missing one', async () => {
    const path = join(dir, 'repos.txt');
    writeFileSync(path, 'https://github.com/acme/alpha 4\n');
    expect((await readRepositoryList(path)).entries).toEqual([
      { url: 'https://github.com/acme/alpha', priority: 4, line: 1 },
    ]);
    await expect(readRepositoryList(join(dir, 'nope.txt'))).rejects.toThrow(/cannot read the list file .*nope\.txt/);
  });
});
