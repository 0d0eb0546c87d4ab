/**
 * Section 5, license: the root license files (LICENSE, COPYING, ...) matched against the SPDX
 * list; the best-scoring file wins. When no file matches, a license declared in a root build
 * manifest (package.json `license`, Cargo, pyproject, composer, pom) is reported with
 * `source: declared`. Every declared expression is listed either way, for comparison.
 */
import type { ReportLicense } from '../../../contracts/report.js';
import type { FileDecision } from '../../../ports/manifest-store.js';
import type { CheckoutReader } from '../checkout-reader.js';
import type { FoundManifest } from '../dependencies/collect.js';
import { isLicenseFile } from '../file-kinds.js';
import { clean, round } from '../text.js';
import { matchSpdx } from './spdx-matcher.js';

const MAX_LICENSE_BYTES = 256 * 1024;

export async function detectLicense(
  files: readonly FileDecision[],
  manifests: readonly FoundManifest[],
  reader: CheckoutReader,
): Promise<ReportLicense> {
  let best: { id: string; score: number; file: string } | undefined;
  const candidates = files.filter((f) => isLicenseFile(f.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  for (const file of candidates) {
    const text = await reader.read(file.path, MAX_LICENSE_BYTES);
    if (text === null) continue;
    const match = matchSpdx(text);
    if (match !== undefined && (best === undefined || match.score > best.score)) best = { ...match, file: file.path };
  }
  const declared = manifests.flatMap((m) =>
    m.parsed?.license === undefined ? [] : [{ manifest_path: m.path, expression: clean(m.parsed.license, 300) }],
  );
  if (best !== undefined) {
    return { spdx_id: best.id, confidence: round(best.score, 4), file: best.file, source: 'file', declared };
  }
  const rootDeclared = declared.find((d) => !d.manifest_path.includes('/'));
  if (rootDeclared !== undefined) {
    return { spdx_id: rootDeclared.expression, confidence: 1, file: null, source: 'declared', declared };
  }
  return { spdx_id: null, confidence: 0, file: null, source: null, declared };
}
