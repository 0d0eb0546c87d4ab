/**
 * Finds and parses every build manifest of the checkout (vendored copies excluded: a
 * node_modules/x/package.json is not this project's manifest) and builds section 4, the
 * dependency list. Lists are bounded: a hostile repository can declare millions of packages.
 */
import type { ReportDependencies } from '../../../contracts/report.js';
import type { FileDecision } from '../../../ports/manifest-store.js';
import type { CheckoutReader } from '../checkout-reader.js';
import { manifestKindOf, type ManifestKind } from './manifest-kinds.js';
import type { ParsedManifest } from './parsed-manifest.js';

export const MAX_MANIFEST_BYTES = 1024 * 1024;
export const MAX_DEPENDENCIES = 5000;
const MAX_MANIFESTS = 2000;

export interface FoundManifest {
  readonly path: string;
  readonly kind: ManifestKind;
  /** null when the file has no parser or could not be read. */
  readonly parsed: ParsedManifest | null;
  readonly unreadable: boolean;
}

export async function collectManifests(
  files: readonly FileDecision[],
  reader: CheckoutReader,
): Promise<FoundManifest[]> {
  const found: FoundManifest[] = [];
  for (const file of files) {
    if (file.vendored || found.length >= MAX_MANIFESTS) continue;
    const kind = manifestKindOf(file.path);
    if (kind === undefined) continue;
    if (kind.parse === null) {
      found.push({ path: file.path, kind, parsed: null, unreadable: false });
      continue;
    }
    const content = await reader.read(file.path, MAX_MANIFEST_BYTES);
    found.push({
      path: file.path,
      kind,
      parsed: content === null ? null : kind.parse(file.path, content),
      unreadable: content === null,
    });
  }
  return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function buildDependencies(manifests: readonly FoundManifest[]): ReportDependencies {
  const all = manifests.flatMap((m) => m.parsed?.dependencies ?? []);
  const byEcosystem: Record<string, number> = {};
  for (const dep of all) byEcosystem[dep.ecosystem] = (byEcosystem[dep.ecosystem] ?? 0) + 1;
  return {
    total: all.length,
    by_ecosystem: byEcosystem,
    items: all.slice(0, MAX_DEPENDENCIES),
    truncated: all.length > MAX_DEPENDENCIES,
  };
}
