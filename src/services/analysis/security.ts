/**
 * Section 8, security posture: local checks scored 0-10 like OpenSSF Scorecard, combined as a
 * weighted mean of the checks that apply (a check with nothing to look at is null and left out).
 * Weights follow Scorecard's risk levels (critical 10, high 7.5, medium 5, low 2.5):
 *
 * | check               | weight | 10 when                                   | scoring                      |
 * | Dangerous-Workflow  | 10     | no untrusted input reaches a shell        | 0 on any finding; null w/o workflows |
 * | Secrets             | 7.5    | File Selection found no secret            | 10 − 2 per finding, ≥ 0      |
 * | Token-Permissions   | 7.5    | every workflow sets top-level permissions | 10 × share of workflows; null w/o workflows |
 * | Binary-Artifacts    | 7.5    | no executables/bytecode checked in        | 10 − 1 per binary, ≥ 0       |
 * | Security-Policy     | 5      | SECURITY.md (root, .github/, docs/)       | 10 or 0                      |
 * | Pinned-Dependencies | 5      | actions by SHA, base images by digest     | 10 × pinned share; null w/o references |
 * | Lock-Files          | 5      | each ecosystem with a manifest has a lock | 10 × share; null w/o such ecosystems |
 * | License             | 2.5    | a license was detected                    | 10 or 0                      |
 * | CI                  | 2.5    | a CI configuration exists                 | 10 or 0                      |
 *
 * Secret values never reach the report: only rule id, path and line.
 */
import type { Ecosystem, ReportLicense, ReportSecurity, SecurityCheck } from '../../contracts/report.js';
import type { FileDecision, SecretFinding } from '../../ports/manifest-store.js';
import type { CheckoutReader } from './checkout-reader.js';
import type { FoundManifest } from './dependencies/collect.js';
import { lockFileEcosystem } from './dependencies/manifest-kinds.js';
import { ciProvider, containerKind, isSecurityPolicy } from './file-kinds.js';
import { clean, round } from './text.js';
import {
  actionReferences,
  dangerousWorkflowPatterns,
  dockerBaseImages,
  hasTopLevelPermissions,
} from './workflow-checks.js';

const MAX_CI_BYTES = 256 * 1024;

export const SECURITY_WEIGHTS = {
  'Dangerous-Workflow': 10,
  Secrets: 7.5,
  'Token-Permissions': 7.5,
  'Binary-Artifacts': 7.5,
  'Security-Policy': 5,
  'Pinned-Dependencies': 5,
  'Lock-Files': 5,
  License: 2.5,
  CI: 2.5,
} as const;

/** Ecosystems where a lock file is the norm (Maven, Gradle and NuGet projects rarely have one). */
const LOCKING_ECOSYSTEMS: readonly Ecosystem[] = ['npm', 'pypi', 'go', 'cargo', 'rubygems', 'composer'];
const BINARY = /\.(exe|dll|so|dylib|jar|war|ear|class|pyc|pyo|o|a|lib|obj|wasm|apk|dex|msi|elf|bin)$/i;

/** Weighted mean of the applicable checks, 1 decimal; null when none applies. */
export function aggregateScore(checks: readonly SecurityCheck[]): number | null {
  const applicable = checks.filter((c) => c.score !== null);
  const weight = applicable.reduce((sum, c) => sum + c.weight, 0);
  if (weight === 0) return null;
  return round(applicable.reduce((sum, c) => sum + (c.score as number) * c.weight, 0) / weight, 1);
}

function check(name: keyof typeof SECURITY_WEIGHTS, score: number | null, reason: string): SecurityCheck {
  return {
    name,
    score: score === null ? null : round(Math.max(0, Math.min(10, score)), 1),
    weight: SECURITY_WEIGHTS[name],
    reason,
  };
}

export async function buildSecurity(
  files: readonly FileDecision[],
  secrets: readonly SecretFinding[],
  manifests: readonly FoundManifest[],
  license: ReportLicense,
  reader: CheckoutReader,
): Promise<ReportSecurity> {
  const own = files.filter((f) => !f.vendored);
  const policy =
    own
      .map((f) => f.path)
      .filter(isSecurityPolicy)
      .sort()[0] ?? null;
  const lockFiles = own
    .map((f) => f.path)
    .filter((p) => lockFileEcosystem(p) !== undefined)
    .sort();
  const ciFiles = own.filter((f) => ciProvider(f.path) !== undefined);
  const workflows = own.filter((f) => /^\.github\/workflows\/[^/]+\.ya?ml$/i.test(f.path));

  const dangerous: { path: string; line: number; pattern: string }[] = [];
  const pinning: { ref: string; pinned: boolean }[] = [];
  let restricted = 0;
  for (const workflow of workflows) {
    const content = await reader.read(workflow.path, MAX_CI_BYTES);
    if (content === null) continue;
    for (const finding of dangerousWorkflowPatterns(content)) dangerous.push({ path: workflow.path, ...finding });
    if (hasTopLevelPermissions(content)) restricted += 1;
    pinning.push(...actionReferences(content));
  }
  for (const file of own.filter((f) => containerKind(f.path) === 'dockerfile')) {
    const content = await reader.read(file.path, MAX_CI_BYTES);
    if (content !== null) pinning.push(...dockerBaseImages(content));
  }

  const ecosystems = new Set(
    manifests.flatMap((m) =>
      m.parsed !== null && m.parsed.dependencies.length > 0 && m.kind.ecosystem !== null ? [m.kind.ecosystem] : [],
    ),
  );
  const expected = LOCKING_ECOSYSTEMS.filter((e) => ecosystems.has(e));
  const locked = new Set(lockFiles.map((p) => lockFileEcosystem(p)));
  const lockedCount = expected.filter((e) => locked.has(e)).length;
  const binaries = own.filter((f) => BINARY.test(f.path));
  const pinnedCount = pinning.filter((p) => p.pinned).length;

  const checks: SecurityCheck[] = [
    check(
      'Dangerous-Workflow',
      workflows.length === 0 ? null : dangerous.length === 0 ? 10 : 0,
      workflows.length === 0
        ? 'no GitHub workflows'
        : `${dangerous.length} dangerous pattern(s) in ${workflows.length} workflow(s)`,
    ),
    check('Secrets', 10 - 2 * secrets.length, `${secrets.length} secret(s) found by file selection`),
    check(
      'Token-Permissions',
      workflows.length === 0 ? null : (10 * restricted) / workflows.length,
      workflows.length === 0
        ? 'no GitHub workflows'
        : `${restricted} of ${workflows.length} workflow(s) set top-level permissions`,
    ),
    check('Binary-Artifacts', 10 - binaries.length, `${binaries.length} binary artifact(s) checked in`),
    check('Security-Policy', policy === null ? 0 : 10, policy === null ? 'no security policy' : `policy in ${policy}`),
    check(
      'Pinned-Dependencies',
      pinning.length === 0 ? null : (10 * pinnedCount) / pinning.length,
      pinning.length === 0
        ? 'no actions or base images referenced'
        : `${pinnedCount} of ${pinning.length} action/image reference(s) pinned by hash`,
    ),
    check(
      'Lock-Files',
      expected.length === 0 ? null : (10 * lockedCount) / expected.length,
      expected.length === 0
        ? 'no ecosystem that uses lock files'
        : `${lockedCount} of ${expected.length} ecosystem(s) locked (${expected.join(', ')})`,
    ),
    check(
      'License',
      license.spdx_id === null ? 0 : 10,
      license.spdx_id === null ? 'no license detected' : `license ${clean(license.spdx_id, 100)}`,
    ),
    check(
      'CI',
      ciFiles.length > 0 ? 10 : 0,
      ciFiles.length > 0 ? `${ciFiles.length} CI configuration file(s)` : 'no CI configuration',
    ),
  ];
  return {
    score: aggregateScore(checks),
    checks,
    secrets: secrets.slice(0, 200).map((s) => ({ type: clean(s.type, 200), path: s.path, line: s.line })),
    security_policy: policy,
    lock_files: lockFiles.slice(0, 200),
    ci_present: ciFiles.length > 0,
    dangerous_workflow_patterns: dangerous.slice(0, 100),
  };
}
