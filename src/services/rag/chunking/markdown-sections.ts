/**
 * Markdown cut at ATX headings (`#` … `######`, outside fenced code) before any line windows:
 * a section is a heading with the text up to the next heading, and its symbol is the heading
 * path (`Usage > Options`). Small neighbouring sections are merged up to the merge budget.
 */
import { rangeTokens, type Piece, type SourceLines } from './source-lines.js';

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const MAX_HEADING_CHARS = 80;

interface Section extends Piece {
  readonly tokens: number;
}

export function markdownSections(source: SourceLines, mergeTokens: number): Piece[] {
  const sections: Section[] = [];
  const headings: string[] = [];
  let fence: string | undefined;
  let start = 0;
  let symbol: string | null = null;
  const close = (end: number): void => {
    if (end >= start) sections.push({ start, end, kind: 'window', symbol, tokens: rangeTokens(source, start, end) });
  };
  source.lines.forEach((line, row) => {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1];
      if (fence === undefined) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    const heading = fence === undefined ? HEADING.exec(line) : null;
    if (heading?.[1] === undefined) return;
    close(row - 1);
    const level = heading[1].length;
    headings.length = Math.min(headings.length, level - 1);
    while (headings.length < level - 1) headings.push('');
    headings.push((heading[2] ?? '').slice(0, MAX_HEADING_CHARS));
    symbol = headings.filter((text) => text !== '').join(' > ') || null;
    start = row;
  });
  close(source.lines.length - 1);

  // Merge neighbours; the merged piece keeps the first section's heading path.
  const merged: Piece[] = [];
  let group: Section | undefined;
  for (const section of sections) {
    if (group !== undefined && group.tokens + section.tokens <= mergeTokens) {
      group = { ...group, end: section.end, tokens: group.tokens + section.tokens };
      continue;
    }
    if (group !== undefined) merged.push(group);
    group = section;
  }
  if (group !== undefined) merged.push(group);
  return merged;
}
