/**
 * npm package.json: `dependencies`, `optionalDependencies` and `peerDependencies` are runtime,
 * `devDependencies` dev (a name in several runtime fields is listed once); `workspaces` (array
 * or `{ packages }`), `main` and `bin` as entry points, `license` (string or legacy `{ type }`).
 */
import { dependency, failed, isRecord, type ParsedManifest } from './parsed-manifest.js';
import type { Dependency } from '../../../contracts/report.js';

const RUNTIME_FIELDS = ['dependencies', 'optionalDependencies', 'peerDependencies'] as const;

export function parsePackageJson(path: string, content: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return failed(error);
  }
  if (!isRecord(json)) return failed(new Error('not a JSON object'));
  const dependencies: Dependency[] = [];
  const seen = new Set<string>();
  const add = (field: string, scope: 'runtime' | 'dev'): void => {
    const block = json[field];
    if (!isRecord(block)) return;
    for (const [name, constraint] of Object.entries(block)) {
      const key = `${scope}\0${name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      dependencies.push(dependency('npm', path, name, typeof constraint === 'string' ? constraint : null, scope));
    }
  };
  for (const field of RUNTIME_FIELDS) add(field, 'runtime');
  add('devDependencies', 'dev');

  const workspaceField = json.workspaces;
  const patterns = Array.isArray(workspaceField)
    ? workspaceField
    : isRecord(workspaceField) && Array.isArray(workspaceField.packages)
      ? workspaceField.packages
      : [];
  const entryPoints: { path: string; source: string }[] = [];
  if (typeof json.main === 'string') entryPoints.push({ path: json.main, source: 'package.json main' });
  if (typeof json.bin === 'string') entryPoints.push({ path: json.bin, source: 'package.json bin' });
  if (isRecord(json.bin)) {
    for (const target of Object.values(json.bin)) {
      if (typeof target === 'string') entryPoints.push({ path: target, source: 'package.json bin' });
    }
  }
  const license =
    typeof json.license === 'string'
      ? json.license
      : isRecord(json.license) && typeof json.license.type === 'string'
        ? json.license.type
        : undefined;
  const strings = patterns.filter((p): p is string => typeof p === 'string');
  return {
    dependencies,
    ...(strings.length > 0 ? { workspaces: { tool: 'npm-workspaces', patterns: strings } } : {}),
    entryPoints,
    ...(license === undefined ? {} : { license }),
  };
}
