/**
 * Which files are build manifests, of which ecosystem, and which parser reads them. Files that
 * name a build system but declare no parsable dependencies (Makefile, CMakeLists.txt, setup.py,
 * ...) are listed with a null parser so the structure section still reports them.
 */
import { parse as parseYaml } from 'yaml';
import type { Ecosystem } from '../../../contracts/report.js';
import { baseName } from '../text.js';
import { parseCargoToml } from './cargo.js';
import { parseComposerJson } from './composer.js';
import { parseGoMod, parseGoWork } from './go.js';
import { parseGradle } from './gradle.js';
import { parsePomXml } from './maven.js';
import { parsePackageJson } from './npm.js';
import { parsePackagesConfig, parseProjectFile } from './nuget.js';
import { failed, isRecord, type ManifestParser, type ParsedManifest } from './parsed-manifest.js';
import { parsePyprojectToml, parseRequirementsTxt } from './python.js';
import { parseGemfile } from './ruby.js';

export interface ManifestKind {
  readonly ecosystem: Ecosystem | null;
  /** Short name of the file's role, e.g. `package.json`, `requirements`, `make`. */
  readonly kind: string;
  /** The build system the file implies. */
  readonly buildSystem: string;
  readonly parse: ManifestParser | null;
}

function parsePnpmWorkspace(_path: string, content: string): ParsedManifest {
  try {
    const doc: unknown = parseYaml(content, { maxAliasCount: 50 });
    const packages = isRecord(doc) && Array.isArray(doc.packages) ? doc.packages : [];
    return {
      dependencies: [],
      workspaces: { tool: 'pnpm-workspace', patterns: packages.filter((p): p is string => typeof p === 'string') },
    };
  } catch (error) {
    return failed(error);
  }
}

function parseLernaJson(_path: string, content: string): ParsedManifest {
  try {
    const doc: unknown = JSON.parse(content);
    const packages = isRecord(doc) && Array.isArray(doc.packages) ? doc.packages : ['packages/*'];
    return {
      dependencies: [],
      workspaces: { tool: 'lerna', patterns: packages.filter((p): p is string => typeof p === 'string') },
    };
  } catch (error) {
    return failed(error);
  }
}

const BY_NAME: Readonly<Record<string, ManifestKind>> = {
  'package.json': { ecosystem: 'npm', kind: 'package.json', buildSystem: 'npm', parse: parsePackageJson },
  'pnpm-workspace.yaml': { ecosystem: 'npm', kind: 'pnpm-workspace', buildSystem: 'pnpm', parse: parsePnpmWorkspace },
  'lerna.json': { ecosystem: 'npm', kind: 'lerna', buildSystem: 'lerna', parse: parseLernaJson },
  'pyproject.toml': { ecosystem: 'pypi', kind: 'pyproject', buildSystem: 'pip', parse: parsePyprojectToml },
  'setup.py': { ecosystem: 'pypi', kind: 'setup.py', buildSystem: 'setuptools', parse: null },
  'setup.cfg': { ecosystem: 'pypi', kind: 'setup.cfg', buildSystem: 'setuptools', parse: null },
  Pipfile: { ecosystem: 'pypi', kind: 'pipfile', buildSystem: 'pipenv', parse: null },
  'go.mod': { ecosystem: 'go', kind: 'go.mod', buildSystem: 'go', parse: parseGoMod },
  'go.work': { ecosystem: 'go', kind: 'go.work', buildSystem: 'go', parse: parseGoWork },
  'Cargo.toml': { ecosystem: 'cargo', kind: 'cargo', buildSystem: 'cargo', parse: parseCargoToml },
  'pom.xml': { ecosystem: 'maven', kind: 'pom', buildSystem: 'maven', parse: parsePomXml },
  'build.gradle': { ecosystem: 'gradle', kind: 'gradle', buildSystem: 'gradle', parse: parseGradle },
  'build.gradle.kts': { ecosystem: 'gradle', kind: 'gradle', buildSystem: 'gradle', parse: parseGradle },
  'settings.gradle': { ecosystem: 'gradle', kind: 'gradle-settings', buildSystem: 'gradle', parse: null },
  'settings.gradle.kts': { ecosystem: 'gradle', kind: 'gradle-settings', buildSystem: 'gradle', parse: null },
  Gemfile: { ecosystem: 'rubygems', kind: 'gemfile', buildSystem: 'bundler', parse: parseGemfile },
  'composer.json': { ecosystem: 'composer', kind: 'composer', buildSystem: 'composer', parse: parseComposerJson },
  'packages.config': { ecosystem: 'nuget', kind: 'packages.config', buildSystem: 'nuget', parse: parsePackagesConfig },
  Makefile: { ecosystem: null, kind: 'make', buildSystem: 'make', parse: null },
  GNUmakefile: { ecosystem: null, kind: 'make', buildSystem: 'make', parse: null },
  'CMakeLists.txt': { ecosystem: null, kind: 'cmake', buildSystem: 'cmake', parse: null },
  'meson.build': { ecosystem: null, kind: 'meson', buildSystem: 'meson', parse: null },
  'MODULE.bazel': { ecosystem: null, kind: 'bazel', buildSystem: 'bazel', parse: null },
  WORKSPACE: { ecosystem: null, kind: 'bazel', buildSystem: 'bazel', parse: null },
  'WORKSPACE.bazel': { ecosystem: null, kind: 'bazel', buildSystem: 'bazel', parse: null },
  'build.xml': { ecosystem: null, kind: 'ant', buildSystem: 'ant', parse: null },
  'deno.json': { ecosystem: null, kind: 'deno', buildSystem: 'deno', parse: null },
};

const REQUIREMENTS: ManifestKind = {
  ecosystem: 'pypi',
  kind: 'requirements',
  buildSystem: 'pip',
  parse: parseRequirementsTxt,
};
const PROJECT_FILE: ManifestKind = {
  ecosystem: 'nuget',
  kind: 'msbuild',
  buildSystem: 'dotnet',
  parse: parseProjectFile,
};
const GEMSPEC: ManifestKind = { ecosystem: 'rubygems', kind: 'gemspec', buildSystem: 'bundler', parse: null };

export function manifestKindOf(path: string): ManifestKind | undefined {
  const name = baseName(path);
  const known = BY_NAME[name];
  if (known !== undefined && Object.hasOwn(BY_NAME, name)) return known;
  if (/^requirements.*\.txt$/i.test(name) || /(^|\/)requirements\/[^/]+\.txt$/i.test(path)) return REQUIREMENTS;
  if (/\.(cs|fs|vb)proj$/i.test(name)) return PROJECT_FILE;
  if (/\.gemspec$/.test(name)) return GEMSPEC;
  return undefined;
}

/** Lock files by name, with the ecosystem they pin. */
const LOCK_FILES: Readonly<Record<string, Ecosystem>> = {
  'package-lock.json': 'npm',
  'npm-shrinkwrap.json': 'npm',
  'yarn.lock': 'npm',
  'pnpm-lock.yaml': 'npm',
  'bun.lockb': 'npm',
  'bun.lock': 'npm',
  'poetry.lock': 'pypi',
  'Pipfile.lock': 'pypi',
  'uv.lock': 'pypi',
  'pdm.lock': 'pypi',
  'go.sum': 'go',
  'Cargo.lock': 'cargo',
  'Gemfile.lock': 'rubygems',
  'composer.lock': 'composer',
  'packages.lock.json': 'nuget',
  'gradle.lockfile': 'gradle',
};

export function lockFileEcosystem(path: string): Ecosystem | undefined {
  const name = baseName(path);
  return Object.hasOwn(LOCK_FILES, name) ? LOCK_FILES[name] : undefined;
}
