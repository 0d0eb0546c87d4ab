/**
 * PyPI: requirements*.txt (PEP 508 lines; `-r`/`-e`/options and URLs skipped; a file name with
 * `dev`, `test`, `lint` or `doc` in it is dev) and pyproject.toml: PEP 621 `project.dependencies`
 * (runtime), `project.optional-dependencies` (dev when the extra is named like dev/test/lint/docs,
 * else runtime: extras are installed by users), PEP 735 `dependency-groups` (dev), and Poetry's
 * `tool.poetry.dependencies` (runtime, `python` itself skipped), `dev-dependencies` and
 * `group.<name>.dependencies` (dev). Also `project.scripts` entry points, the declared license
 * and the build backend.
 */
import { parse as parseToml } from 'smol-toml';
import type { Dependency } from '../../../contracts/report.js';
import { baseName } from '../text.js';
import { dependency, failed, isRecord, type ParsedManifest } from './parsed-manifest.js';

const PEP508 = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*(.*)$/;
const DEV_NAME = /(^|[^a-z])(dev|develop|test|tests|testing|lint|docs?|typing)([^a-z]|$)/i;

/** Name and constraint of one PEP 508 requirement; markers after `;` are dropped. */
export function parsePep508(spec: string): { name: string; constraint: string | null } | undefined {
  const match = PEP508.exec(spec.trim());
  if (match === null) return undefined;
  const rest = (match[3] ?? '').split(';')[0]?.trim() ?? '';
  return { name: match[1] as string, constraint: rest === '' ? null : rest.replace(/^\((.*)\)$/, '$1') };
}

export function parseRequirementsTxt(path: string, content: string): ParsedManifest {
  const scope = DEV_NAME.test(baseName(path).replace(/^requirements/i, '')) ? 'dev' : 'runtime';
  const dependencies: Dependency[] = [];
  const logical = content.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  for (const raw of logical) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '' || line.startsWith('-') || /^[a-z+]+:\/\//i.test(line)) continue;
    const parsed = parsePep508(line);
    if (parsed !== undefined) dependencies.push(dependency('pypi', path, parsed.name, parsed.constraint, scope));
  }
  return { dependencies };
}

function poetryConstraint(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    if (typeof value.version === 'string') return value.version;
    if (typeof value.git === 'string') return `git ${value.git}`;
    if (typeof value.path === 'string') return `path ${value.path}`;
  }
  return null;
}

export function parsePyprojectToml(path: string, content: string): ParsedManifest {
  let toml: Record<string, unknown>;
  try {
    toml = parseToml(content);
  } catch (error) {
    return failed(error);
  }
  const dependencies: Dependency[] = [];
  const addPep508 = (specs: unknown, scope: 'runtime' | 'dev'): void => {
    if (!Array.isArray(specs)) return;
    for (const spec of specs) {
      if (typeof spec !== 'string') continue;
      const parsed = parsePep508(spec);
      if (parsed !== undefined) dependencies.push(dependency('pypi', path, parsed.name, parsed.constraint, scope));
    }
  };
  const project = isRecord(toml.project) ? toml.project : {};
  addPep508(project.dependencies, 'runtime');
  if (isRecord(project['optional-dependencies'])) {
    for (const [extra, specs] of Object.entries(project['optional-dependencies'])) {
      addPep508(specs, DEV_NAME.test(extra) ? 'dev' : 'runtime');
    }
  }
  if (isRecord(toml['dependency-groups'])) {
    for (const specs of Object.values(toml['dependency-groups'])) addPep508(specs, 'dev');
  }
  const tool = isRecord(toml.tool) ? toml.tool : {};
  const poetry = isRecord(tool.poetry) ? tool.poetry : undefined;
  const addPoetry = (block: unknown, scope: 'runtime' | 'dev'): void => {
    if (!isRecord(block)) return;
    for (const [name, value] of Object.entries(block)) {
      if (name.toLowerCase() === 'python') continue;
      dependencies.push(dependency('pypi', path, name, poetryConstraint(value), scope));
    }
  };
  if (poetry !== undefined) {
    addPoetry(poetry.dependencies, 'runtime');
    addPoetry(poetry['dev-dependencies'], 'dev');
    if (isRecord(poetry.group)) {
      for (const group of Object.values(poetry.group)) {
        if (isRecord(group)) addPoetry(group.dependencies, 'dev');
      }
    }
  }
  const entryPoints: { path: string; source: string }[] = [];
  const scripts = isRecord(project.scripts)
    ? project.scripts
    : poetry !== undefined && isRecord(poetry.scripts)
      ? poetry.scripts
      : {};
  for (const [name, target] of Object.entries(scripts)) {
    if (typeof target === 'string') entryPoints.push({ path: target, source: `pyproject.toml script ${name}` });
  }
  const license =
    typeof project.license === 'string'
      ? project.license
      : isRecord(project.license) && typeof project.license.text === 'string' && project.license.text.length < 100
        ? project.license.text
        : poetry !== undefined && typeof poetry.license === 'string'
          ? poetry.license
          : undefined;
  const buildSystem = isRecord(toml['build-system']) ? toml['build-system']['build-backend'] : undefined;
  return {
    dependencies,
    entryPoints,
    ...(license === undefined ? {} : { license }),
    ...(typeof buildSystem === 'string' ? { buildSystem: backendName(buildSystem) } : {}),
  };
}

function backendName(backend: string): string {
  if (backend.startsWith('poetry')) return 'poetry';
  if (backend.startsWith('hatchling')) return 'hatch';
  if (backend.startsWith('setuptools')) return 'setuptools';
  if (backend.startsWith('flit')) return 'flit';
  if (backend.startsWith('pdm')) return 'pdm';
  if (backend.startsWith('maturin')) return 'maturin';
  return backend.split('.')[0] ?? backend;
}
