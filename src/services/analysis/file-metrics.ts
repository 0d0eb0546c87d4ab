/**
 * One pass over the files worth measuring: reads each (bounded, safely) and counts its lines and
 * complexity with the counting module. Vendored and generated files are skipped, as are files
 * File Selection could not or would not read (binary, symlink, unreadable). Every other file
 * with a language is measured, included or not: the report describes the repository, the
 * selection only decides what RAG reads.
 */
import type { FileDecision } from '../../ports/manifest-store.js';
import { RepolensError, ErrorCodes } from '../../domain/errors.js';
import type { CheckoutReader } from './checkout-reader.js';
import { countLines, fileComplexity } from './counting/index.js';
import { languageType } from './languages.js';

/** Larger files are not counted (minified bundles, data dumps); their bytes still count. */
export const MAX_MEASURED_BYTES = 2 * 1024 * 1024;

export interface FileMetrics {
  readonly code: number;
  readonly comment: number;
  readonly blank: number;
  /** null for languages that have no branches (data, prose, markup). */
  readonly complexity: number | null;
}

export interface MeasuredFiles {
  readonly metrics: ReadonlyMap<string, FileMetrics>;
  /** Files that should have been readable but were not. */
  readonly unreadable: readonly string[];
}

const UNREADABLE_REASONS = new Set(['binary', 'symlink', 'unreadable']);

/** Files whose language and bytes count in the composition. */
export function isComposed(file: FileDecision): boolean {
  return file.language !== null && !file.vendored && !file.generated && !UNREADABLE_REASONS.has(file.reason);
}

export async function measureFiles(
  files: readonly FileDecision[],
  reader: CheckoutReader,
  options: { readonly signal?: AbortSignal; readonly onProgress?: (fraction: number) => void },
): Promise<MeasuredFiles> {
  const metrics = new Map<string, FileMetrics>();
  const unreadable: string[] = [];
  const targets = files.filter((file) => isComposed(file) && file.bytes <= MAX_MEASURED_BYTES);
  let done = 0;
  for (const file of targets) {
    if (options.signal?.aborted === true) {
      throw new RepolensError(ErrorCodes.timeout, 'analysis aborted', {
        cause: options.signal.reason,
        retryable: true,
      });
    }
    const language = file.language as string;
    const content = await reader.read(file.path, MAX_MEASURED_BYTES);
    if (content === null) {
      unreadable.push(file.path);
    } else {
      const lines = countLines(content, language);
      metrics.set(file.path, {
        code: lines.code,
        comment: lines.comment,
        blank: lines.blank,
        complexity: languageType(language) === 'programming' ? fileComplexity(content, language) : null,
      });
    }
    done += 1;
    if (done % 200 === 0) options.onProgress?.(done / targets.length);
  }
  options.onProgress?.(1);
  return { metrics, unreadable };
}
