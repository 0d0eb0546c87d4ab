/**
 * The report as GitHub-flavoured Markdown. Every value is escaped: a repository controls file
 * names, dependency names and README text, and must not be able to inject links, images, HTML
 * or table structure into the rendering.
 */
import type { Report } from '../../../contracts/report.js';
import { buildReportView, reportTitle, type Block } from './report-view.js';

/**
 * Escapes what would turn a value into markup: emphasis, code, links and images, tables, HTML,
 * and a list or heading marker at the start; GFM's bare autolinks (`http://`, `https://`,
 * `www.`) are broken too, so repository text can never become a link. Ordinary punctuation (`.`,
 * `:`, `-` inside text) stays as it is, so the Markdown reads well as plain text.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/[\r\n]+/g, ' ')
      .replace(/[\\`*_{}[\]()|~!]/g, (c) => `\\${c}`)
      // A list or heading marker only counts when a space follows it (CommonMark), so "0.1.0" stays.
      .replace(/^(\s*)([#+-]|\d+[.)])(?=\s|$)/, (_, space: string, marker: string) => `${space}\\${marker}`)
      .replace(/\b(https?):\/\//gi, (_, scheme: string) => `${scheme}\\://`)
      .replace(/\bwww\./gi, 'www\\.')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
  );
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `${escapeMarkdown(block.text)}\n`;
    case 'facts':
      return `${block.rows.map(([key, value]) => `- **${escapeMarkdown(key)}**: ${escapeMarkdown(value)}`).join('\n')}\n`;
    case 'table': {
      const row = (cells: readonly string[]): string => `| ${cells.map(escapeMarkdown).join(' | ')} |`;
      const lines = [row(block.header), `|${block.header.map(() => ' --- |').join('')}`, ...block.rows.map(row)];
      return `${lines.join('\n')}\n${block.note === undefined ? '' : `\n_${escapeMarkdown(block.note)}_\n`}`;
    }
  }
}

export function renderMarkdown(report: Report): string {
  const parts = [`# ${escapeMarkdown(reportTitle(report))}\n`];
  for (const section of buildReportView(report)) {
    parts.push(`## ${escapeMarkdown(section.title)}\n`);
    for (const block of section.blocks) parts.push(renderBlock(block));
  }
  return `${parts.join('\n')}`;
}
