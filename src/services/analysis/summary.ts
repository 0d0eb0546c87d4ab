/**
 * Section 10, summary, written without a model so it is reproducible and cannot hallucinate:
 * the README's title and first prose paragraph (markup stripped, cited by line range), then
 * one sentence per fact the report established (language, size, build, frameworks,
 * dependencies, license, activity). Without a README only the facts remain. With an LLM
 * configured, llm-summary/ writes the text instead and this one is the fallback.
 */
import type { Report, ReportSummary } from '../../contracts/report.js';
import type { FileDecision } from '../../ports/manifest-store.js';
import type { CheckoutReader } from './checkout-reader.js';
import { readmeRank } from './file-kinds.js';
import { clean } from './text.js';

const MAX_README_BYTES = 512 * 1024;
const MAX_PARAGRAPH = 600;

/** Markdown/RST inline markup to plain text. */
export function plainText(markdown: string): string {
  return markdown
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]{0,500}>/g, '')
    .replace(/`+([^`]*)`+/g, '$1')
    .replace(/(\*\*|__)(.*?)\1/g, '$2')
    .replace(/(^|\W)[*_]([^*_\n]+)[*_](?=\W|$)/g, '$1$2')
    .replace(/\s+/g, ' ')
    .trim();
}

interface ReadmeFacts {
  readonly title: string | null;
  readonly paragraph: { text: string; start: number; end: number } | null;
}

/** The first heading and the first paragraph of prose (not a badge line, list, table or code). */
export function readmeFacts(content: string): ReadmeFacts {
  const lines = content.replace(/\r\n?/g, '\n').split('\n');
  let title: string | null = null;
  let inFence = false;
  let paragraph: string[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i += 1) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    if (/^(```|~~~)/.test(trimmed)) {
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const heading = /^#{1,6}\s+(.*?)\s*#*$/.exec(trimmed);
    const setext = /^(=+|-+)$/.test(trimmed) && paragraph.length === 1;
    if (setext) {
      title ??= plainText(paragraph[0] ?? '');
      paragraph = [];
      continue;
    }
    if (heading !== null) {
      if (paragraph.length > 0) break;
      title ??= plainText(heading[1] ?? '');
      continue;
    }
    if (trimmed === '' || i === lines.length) {
      if (paragraph.length > 0) {
        const text = plainText(paragraph.join(' ').slice(0, 8000));
        // A paragraph of only badges or links leaves (almost) nothing: keep looking.
        if (text.length >= 20) return { title, paragraph: { text, start: start + 1, end: i } };
        paragraph = [];
      }
      continue;
    }
    if (/^([-*+]\s|\d+\.\s|\||>|<\/?(p|div|h\d|img|a|br|picture|source)\b)/i.test(trimmed) && paragraph.length === 0) {
      // HTML blocks carrying the title (common on GitHub) count as the title.
      const html = /^<h1[^>]*>(.*?)<\/h1>/i.exec(trimmed);
      if (html !== null) title ??= plainText(html[1] ?? '');
      continue;
    }
    if (paragraph.length === 0) start = i;
    paragraph.push(trimmed);
  }
  return { title, paragraph: null };
}

/** The last segment of the repository URL without `.git`: the name when the README gives none. */
export function projectName(repositoryUrl: string): string {
  const last = repositoryUrl.replace(/\/+$/, '').split(/[/:]/).pop() ?? repositoryUrl;
  return last.replace(/\.git$/, '') || repositoryUrl;
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The report sections the summary states facts from. */
export type SummaryFacts = Pick<
  Report,
  'composition' | 'structure' | 'dependencies' | 'license' | 'activity' | 'identity'
>;

export function factSentences(facts: SummaryFacts, name: string): string {
  const { composition, structure, dependencies, license, activity } = facts;
  const sentences: string[] = [];
  const primary = composition.primary_language;
  const language = primary === null ? 'a' : `${/^[aeiou]/i.test(primary) ? 'an' : 'a'} ${primary}`;
  sentences.push(
    `${name} is ${language} project of ${plural(composition.totals.files, 'file')} and ${plural(composition.totals.code, 'line')} of code.`,
  );
  if (structure.build_systems.length > 0) sentences.push(`It builds with ${list(structure.build_systems)}.`);
  const frameworks = [...new Set(structure.frameworks.map((f) => f.name))];
  if (frameworks.length > 0) sentences.push(`It uses ${list(frameworks.slice(0, 8))}.`);
  const ecosystems = Object.keys(dependencies.by_ecosystem).sort();
  if (dependencies.total > 0) {
    sentences.push(
      `It declares ${plural(dependencies.total, 'dependency').replace(/ys$/, 'ies')} (${list(ecosystems)}).`,
    );
  }
  sentences.push(license.spdx_id === null ? 'No license was detected.' : `License: ${license.spdx_id}.`);
  if (activity.commits > 0) {
    sentences.push(
      `${plural(activity.commits, 'commit')} by ${plural(activity.contributors, 'contributor')}; bus factor ${activity.bus_factor}.`,
    );
  }
  return sentences.join(' ');
}

export async function buildSummary(
  files: readonly FileDecision[],
  reader: CheckoutReader,
  facts: SummaryFacts,
): Promise<ReportSummary> {
  const readmes = files
    .flatMap((f) => {
      const rank = readmeRank(f.path);
      return rank === undefined ? [] : [{ path: f.path, rank }];
    })
    .sort((a, b) => a.rank - b.rank || (a.path < b.path ? -1 : 1));
  const name = projectName(facts.identity.repository_url);
  for (const readme of readmes) {
    const content = await reader.read(readme.path, MAX_README_BYTES);
    if (content === null) continue;
    const { title, paragraph } = readmeFacts(content);
    const text = [paragraph === null ? null : clean(paragraph.text, MAX_PARAGRAPH), factSentences(facts, name)]
      .filter((t): t is string => t !== null)
      .join('\n\n');
    return {
      generated_by: 'deterministic',
      title: clean(title !== null && title !== '' ? title : name, 300),
      text: clean(text, 4000, true),
      readme_path: readme.path,
      citations:
        paragraph === null ? [] : [{ path: readme.path, start_line: paragraph.start, end_line: paragraph.end }],
    };
  }
  return {
    generated_by: 'deterministic',
    title: clean(name, 300),
    text: clean(factSentences(facts, name), 4000, true),
    readme_path: null,
    citations: [],
  };
}
