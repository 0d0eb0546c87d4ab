/**
 * The decision for one regular file, cheapest test first so most exclusions never open the file:
 *   .gitignore → default ignore list → Linguist vendored → Linguist generated (by path)
 *   → size cap (from fstat, before reading) → read once → binary (NUL in the first 8 KiB, or
 *   not UTF-8) → Linguist generated (by content) → secrets → included (with o200k tokens).
 * The file is opened with O_NOFOLLOW and checked to still be a regular file, so a file swapped
 * for a link or a FIFO after the walk is neither followed nor blocks the read.
 */
import { constants } from 'node:fs';
import { lstat, open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import type { FileCategory, FileDecision, SelectionReason } from '../../ports/manifest-store.js';
import { categoryOf } from './categories.js';
import { defaultIgnoredFile } from './default-ignore.js';
import { languageType, detectLanguage } from './languages.js';
import { generatedByContent } from './linguist-generated.js';
import { documentationPatterns, generatedPathPatterns, vendorPatterns } from './linguist-rules.js';
import { scanSecrets, type Finding } from './secrets.js';
import { codeOf, type FileEntry } from './walk.js';

const BINARY_SNIFF_BYTES = 8 * 1024;
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Special-token text (`<|endoftext|>`) in a file is ordinary text here, not an error. */
const TOKEN_OPTIONS = { disallowedSpecial: new Set<string>() };

export interface SizeLimit {
  readonly maxBytes: number;
  /** How the rule names where the limit came from, e.g. `default` or `override *.sql`. */
  readonly source: string;
}

export interface Classified {
  readonly decision: Omit<FileDecision, 'rank'>;
  readonly findings: readonly Finding[];
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

export function categoryFor(path: string, language: string | null): FileCategory {
  const category = categoryOf(path, language, languageType(language));
  if (category === 'test' || category === 'example' || category === 'docs') return category;
  return documentationPatterns.match(path) === undefined ? category : 'docs';
}

async function sizeOf(absolute: string): Promise<number> {
  try {
    return (await lstat(absolute)).size;
  } catch {
    return 0;
  }
}

export async function classifyFile(entry: FileEntry, limit: SizeLimit): Promise<Classified> {
  const { path, name } = entry;
  const vendor = vendorPatterns.match(path);
  const generatedPath = generatedPathPatterns.match(path);
  const nameLanguage = detectLanguage(name);
  const base = {
    path,
    language: nameLanguage,
    category: categoryFor(path, nameLanguage),
    vendored: vendor !== undefined,
    generated: generatedPath !== undefined,
    tokens: null,
    contentHash: null,
  };
  const excluded = async (reason: SelectionReason, rule: string): Promise<Classified> => ({
    decision: { ...base, included: false, reason, rule, bytes: await sizeOf(entry.absolute) },
    findings: [],
  });

  if (entry.ignoredBy !== undefined) return excluded('gitignore', entry.ignoredBy);
  const byDefault = defaultIgnoredFile(name);
  if (byDefault !== undefined) return excluded('default_ignore', byDefault);
  if (vendor !== undefined) return excluded('vendored', `linguist vendor ${vendor}`);
  if (generatedPath !== undefined) return excluded('generated', `linguist generated ${generatedPath}`);

  let content: Buffer;
  let bytes: number;
  try {
    const handle = await open(entry.absolute, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const stats = await handle.stat();
      bytes = stats.size;
      if (!stats.isFile()) return excluded('unreadable', 'not a regular file');
      if (bytes > limit.maxBytes) {
        return {
          decision: {
            ...base,
            included: false,
            reason: 'too_large',
            rule: `size ${bytes} > ${limit.maxBytes} (${limit.source})`,
            bytes,
          },
          findings: [],
        };
      }
      content = Buffer.allocUnsafe(bytes);
      let filled = 0;
      while (filled < bytes) {
        const { bytesRead } = await handle.read(content, filled, bytes - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled < bytes) content = content.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return excluded('unreadable', `read failed: ${codeOf(error)}`);
  }

  const read = { ...base, bytes: content.length, contentHash: createHash('sha256').update(content).digest('hex') };
  const sniff = content.subarray(0, BINARY_SNIFF_BYTES);
  if (sniff.includes(0)) {
    return {
      decision: { ...read, included: false, reason: 'binary', rule: 'NUL byte in the first 8 KiB' },
      findings: [],
    };
  }
  let text: string;
  try {
    text = utf8.decode(content);
  } catch {
    return { decision: { ...read, included: false, reason: 'binary', rule: 'not valid UTF-8' }, findings: [] };
  }
  const language = detectLanguage(name, text.slice(0, 4096));
  const withLanguage = { ...read, language, category: categoryFor(path, language) };
  const generated = generatedByContent(extensionOf(name), text);
  if (generated !== undefined) {
    return {
      decision: {
        ...withLanguage,
        generated: true,
        included: false,
        reason: 'generated',
        rule: `linguist generated ${generated}`,
      },
      findings: [],
    };
  }
  const findings = await scanSecrets(path, text);
  if (findings.length > 0) {
    // No content hash either: nothing derived from a file holding a secret leaves selection.
    const types = [...new Set(findings.map((finding) => finding.type))].join(', ');
    return {
      decision: {
        ...withLanguage,
        contentHash: null,
        included: false,
        reason: 'secret',
        rule: `secretlint ${types} (line ${findings[0]?.line ?? 0})`,
      },
      findings,
    };
  }
  return {
    decision: {
      ...withLanguage,
      included: true,
      reason: 'included',
      rule: 'included',
      tokens: countTokens(text, TOKEN_OPTIONS),
    },
    findings: [],
  };
}
