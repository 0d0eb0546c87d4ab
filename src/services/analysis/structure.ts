/**
 * Section 3, structure: the build manifests and the build systems they imply (a lock file names
 * the npm client: yarn.lock → yarn), frameworks from dependencies, entry points (declared in
 * manifests, or conventional by name), CI, container and infrastructure files, and workspace
 * members (the globs of package.json/pnpm/lerna/Cargo/go.work/Maven modules matched against the
 * directories that hold a manifest of that ecosystem).
 */
import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { ReportStructure } from '../../contracts/report.js';
import type { FileDecision } from '../../ports/manifest-store.js';
import type { FoundManifest } from './dependencies/collect.js';
import { ciProvider, containerKind, conventionalEntryPoint, infrastructureKind } from './file-kinds.js';
import { detectFrameworks } from './frameworks.js';
import { baseName, byString, clean, dirName } from './text.js';

const MAX_LISTED = 200;

const NPM_CLIENTS: Readonly<Record<string, string>> = {
  'yarn.lock': 'yarn',
  'pnpm-lock.yaml': 'pnpm',
  'bun.lockb': 'bun',
  'bun.lock': 'bun',
  'package-lock.json': 'npm',
};

/** The manifest name whose directories are workspace members, per workspace tool. */
const MEMBER_MANIFEST: Readonly<Record<string, string>> = {
  'npm-workspaces': 'package.json',
  'pnpm-workspace': 'package.json',
  lerna: 'package.json',
  'cargo-workspace': 'Cargo.toml',
  'go-work': 'go.mod',
  'maven-modules': 'pom.xml',
};

function join(dir: string, relative: string): string {
  const joined = posix.normalize(posix.join(dir, relative));
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

function workspaceMembers(
  manifestPath: string,
  tool: string,
  patterns: readonly string[],
  paths: readonly string[],
): string[] {
  const memberName = MEMBER_MANIFEST[tool] ?? 'package.json';
  const base = dirName(manifestPath);
  const candidates = paths.filter((p) => baseName(p) === memberName).map(dirName);
  const include = patterns.filter((p) => !p.startsWith('!')).map((p) => join(base, p));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => join(base, p.slice(1)));
  if (include.length === 0) return [];
  const isIncluded = picomatch(include, { dot: false });
  const isExcluded = exclude.length > 0 ? picomatch(exclude) : () => false;
  return candidates
    .filter((dir) => dir !== base && isIncluded(dir) && !isExcluded(dir))
    .sort()
    .slice(0, MAX_LISTED);
}

export function buildStructure(files: readonly FileDecision[], manifests: readonly FoundManifest[]): ReportStructure {
  const own = files.filter((f) => !f.vendored);
  const paths = own.map((f) => f.path);
  const pathSet = new Set(paths);

  const buildSystems = new Set<string>();
  for (const m of manifests) {
    buildSystems.add(m.parsed?.buildSystem ?? m.kind.buildSystem);
  }
  if (buildSystems.has('npm')) {
    for (const [lock, client] of Object.entries(NPM_CLIENTS)) {
      if (pathSet.has(lock) && client !== 'npm') {
        buildSystems.delete('npm');
        buildSystems.add(client);
      }
    }
  }

  const entryPoints: { path: string; source: string }[] = [];
  for (const m of manifests) {
    for (const entry of m.parsed?.entryPoints ?? []) {
      const declared = m.kind.ecosystem === 'pypi' ? entry.path : join(dirName(m.path), entry.path);
      entryPoints.push({ path: clean(declared, 500), source: clean(entry.source, 200) });
    }
  }
  for (const path of paths) {
    const source = conventionalEntryPoint(path);
    if (source !== undefined && !entryPoints.some((e) => e.path === path)) entryPoints.push({ path, source });
  }

  const listed = <T extends { path: string }>(items: T[]): T[] =>
    items.sort(byString((i) => i.path)).slice(0, MAX_LISTED);
  const ci = paths.flatMap((path) => {
    const provider = ciProvider(path);
    return provider === undefined ? [] : [{ path, provider }];
  });
  const containers = paths.flatMap((path) => {
    const kind = containerKind(path);
    return kind === undefined ? [] : [{ path, kind }];
  });
  const infrastructure = paths.flatMap((path) => {
    const kind = infrastructureKind(path);
    return kind === undefined ? [] : [{ path, kind }];
  });
  const workspaces = manifests.flatMap((m) => {
    const ws = m.parsed?.workspaces;
    if (ws === undefined) return [];
    return [{ tool: ws.tool, manifest_path: m.path, packages: workspaceMembers(m.path, ws.tool, ws.patterns, paths) }];
  });

  return {
    manifests: manifests
      .slice(0, MAX_LISTED)
      .map((m) => ({ path: m.path, ecosystem: m.kind.ecosystem, kind: m.kind.kind })),
    build_systems: [...buildSystems].sort(),
    frameworks: detectFrameworks(manifests.flatMap((m) => m.parsed?.dependencies ?? [])).slice(0, MAX_LISTED),
    entry_points: entryPoints.slice(0, 50),
    ci_files: listed(ci),
    container_files: listed(containers),
    infrastructure_files: listed(infrastructure),
    workspaces,
  };
}
