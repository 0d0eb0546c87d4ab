/** Markdown escaping: hostile text never becomes markup, ordinary values read as written. */
import { describe, expect, it } from 'vitest';
import { escapeMarkdown } from '../../../../src/services/analysis/render/markdown.js';

describe('escapeMarkdown', () => {
  it.each([
    ['0.1.0', '0.1.0'],
    ['6.46 %', '6.46 %'],
    ['git://127.0.0.1:9418/tool-0', 'git://127.0.0.1:9418/tool-0'],
    ['file:///work/main', 'file:///work/main'],
    ['2026-11-27T20:17:00.827Z', '2026-11-27T20:17:00.827Z'],
    ['- item', '\\- item'],
    ['1. first', '\\1. first'],
    ['# heading', '\\# heading'],
    ['#hashtag', '#hashtag'],
  ])('keeps %j readable as %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });

  it.each([
    ['[click](https://evil.test)', '\\[click\\]\\(https\\://evil.test\\)'],
    ['![img](x.png)', '\\!\\[img\\]\\(x.png\\)'],
    ['<script>alert(1)</script>', '&lt;script&gt;alert\\(1\\)&lt;/script&gt;'],
    ['visit https://evil.test now', 'visit https\\://evil.test now'],
    ['www.evil.test', 'www\\.evil.test'],
    ['a | b', 'a \\| b'],
    ['*bold* _it_ `code`', '\\*bold\\* \\_it\\_ \\`code\\`'],
    ['line\nbreak', 'line break'],
  ])('neutralizes %j', (input, expected) => {
    expect(escapeMarkdown(input)).toBe(expected);
  });
});
