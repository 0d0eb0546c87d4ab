/**
 * A list of repositories in a text file: one URL per line, optionally followed by whitespace
 * and a priority (1-5); `#` starts a comment (whole line or after the entry); blank lines are
 * ignored. Problems are reported per line (numbered from 1) so a long list can be fixed in one
 * pass; the good lines are still returned. URL validity is left to the publisher (which
 * normalizes and rejects with a reason); `problems` covers what only the file format can get wrong.
 */
import { readFile, stat } from 'node:fs/promises';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { stripCredentials } from '../../domain/repository-url.js';

/** A list larger than this is refused: it is not a list of repositories. */
export const MAX_LIST_FILE_BYTES = 16 * 1024 * 1024;

export interface ListEntry {
  readonly url: string;
  readonly priority?: number;
  /** 1-based line number in the file. */
  readonly line: number;
}

export interface ListProblem {
  readonly line: number;
  readonly reason: string;
}

export interface ParsedList {
  readonly entries: readonly ListEntry[];
  readonly problems: readonly ListProblem[];
}

export function parseRepositoryList(text: string): ParsedList {
  const entries: ListEntry[] = [];
  const problems: ListProblem[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    // A `#` starts a comment only at the start or after whitespace: URLs may not hold one anyway.
    const content = raw.replace(/(^|\s)#.*$/, '').trim();
    if (content === '') return;
    const fields = content.split(/\s+/);
    const [url, priorityText, ...extra] = fields as [string, string | undefined, ...string[]];
    if (extra.length > 0) {
      problems.push({ line, reason: `expected "<url> [priority]", found ${fields.length} fields` });
      return;
    }
    if (priorityText === undefined) {
      entries.push({ url, line });
      return;
    }
    if (!/^[1-5]$/.test(priorityText)) {
      problems.push({
        line,
        reason: `priority must be 1-5, got "${priorityText.slice(0, 20)}" (for ${stripCredentials(url)})`,
      });
      return;
    }
    entries.push({ url, priority: Number(priorityText), line });
  });
  return { entries, problems };
}

/** Reads and parses a list file; an unreadable or oversized file is an error naming the file. */
export async function readRepositoryList(path: string): Promise<ParsedList> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (error) {
    throw new RepolensError(ErrorCodes.inputInvalid, `cannot read the list file ${path}`, { cause: error });
  }
  if (size > MAX_LIST_FILE_BYTES) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `the list file ${path} is larger than ${MAX_LIST_FILE_BYTES} bytes (${size})`,
    );
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RepolensError(ErrorCodes.inputInvalid, `cannot read the list file ${path}`, { cause: error });
  }
  return parseRepositoryList(text);
}
