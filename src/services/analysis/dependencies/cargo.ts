/**
 * Cargo.toml: `[dependencies]` runtime, `[dev-dependencies]` and `[build-dependencies]` dev
 * (neither ships in the built crate), the same under `[target.'cfg'.*]`; a value is a version
 * string or a table (`version`, else `git`/`path`, else `workspace = true`). `[workspace]
 * members`, `[[bin]] path` entry points and `package.license`.
 */
import { parse as parseToml } from 'smol-toml';
import type { Dependency } from '../../../contracts/report.js';
import { dependency, failed, isRecord, type ParsedManifest } from './parsed-manifest.js';

function constraintOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return null;
  if (typeof value.version === 'string') return value.version;
  if (typeof value.git === 'string') return `git ${value.git}`;
  if (typeof value.path === 'string') return `path ${value.path}`;
  if (value.workspace === true) return 'workspace';
  return null;
}

export function parseCargoToml(path: string, content: string): ParsedManifest {
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(content);
  } catch (error) {
    return failed(error);
  }
  const dependencies: Dependency[] = [];
  const addTables = (holder: Record<string, unknown>): void => {
    const blocks: [string, 'runtime' | 'dev'][] = [
      ['dependencies', 'runtime'],
      ['dev-dependencies', 'dev'],
      ['build-dependencies', 'dev'],
    ];
    for (const [field, scope] of blocks) {
      const block = holder[field];
      if (!isRecord(block)) continue;
      for (const [name, value] of Object.entries(block)) {
        // `package = "real-name"` renames: the registry name is what identifies the dependency.
        const real = isRecord(value) && typeof value.package === 'string' ? value.package : name;
        dependencies.push(dependency('cargo', path, real, constraintOf(value), scope));
      }
    }
  };
  addTables(toml);
  if (isRecord(toml.target)) {
    for (const target of Object.values(toml.target)) if (isRecord(target)) addTables(target);
  }
  const workspace = isRecord(toml.workspace) ? toml.workspace : undefined;
  const members = workspace !== undefined && Array.isArray(workspace.members) ? workspace.members : [];
  const entryPoints = (Array.isArray(toml.bin) ? toml.bin : []).flatMap((bin) =>
    isRecord(bin) && typeof bin.path === 'string' ? [{ path: bin.path, source: 'Cargo.toml [[bin]]' }] : [],
  );
  const pkg = isRecord(toml.package) ? toml.package : {};
  const strings = members.filter((m): m is string => typeof m === 'string');
  return {
    dependencies,
    entryPoints,
    ...(workspace !== undefined ? { workspaces: { tool: 'cargo-workspace', patterns: strings } } : {}),
    ...(typeof pkg.license === 'string' ? { license: pkg.license } : {}),
  };
}
