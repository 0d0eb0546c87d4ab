/**
 * A file's category from path conventions shared by most ecosystems, checked in this order:
 * well-known documentation files (README, CHANGELOG, LICENSE...) → docs; test folders and test
 * file names (`*.test.ts`, `*_test.go`, `test_*.py`, `FooTest.java`) → test; example, sample and
 * demo folders → example (Linguist counts these as documentation; we keep them apart so they rank
 * below tests); Linguist documentation paths and prose languages → docs; configuration formats and
 * dotfiles → config; tabular data → data; programming and markup languages → source; else other.
 * Also: manifests and entry points, which ranking puts near the top.
 */
import type { FileCategory } from '../../ports/manifest-store.js';

const DOC_FILE =
  /(?:^|\/)(?:README|CHANGE(?:S|LOG)?|CONTRIBUTING|COPYING|INSTALL|LICEN[CS]E|CODE_OF_CONDUCT|SECURITY|AUTHORS|NOTICE|HISTORY)(?:\.[^/]*)?$/i;
const TEST_DIR = /(?:^|\/)(?:tests?|__tests__|__mocks__|specs?|testing|e2e|integration[-_]tests?)\//i;
const TEST_FILE =
  /(?:^|\/)(?:[^/]+[.-](?:test|spec|e2e)\.[^/.]+|[^/]+_test\.[^/.]+|test_[^/]+\.py|[^/]+(?:Test|Tests|Spec|IT)\.(?:java|kt|scala|cs|groovy|swift|php))$/;
const EXAMPLE_DIR = /(?:^|\/)(?:examples?|samples?|demos?|playground|tutorials?)\//i;
const DOCS_DIR = /(?:^|\/)(?:docs?|documentation|man|wiki|guides?)\//i;
const CONFIG_LANGUAGES = new Set([
  'JSON',
  'JSON with Comments',
  'JSON5',
  'YAML',
  'TOML',
  'INI',
  'Java Properties',
  'Dotenv',
  'Ignore List',
  'EditorConfig',
  'Git Config',
  'Git Attributes',
  'Dockerfile',
  'Nginx',
  'XML',
  'HCL',
  'Go Module',
  'Browserslist',
  'NPM Config',
]);
const DATA_LANGUAGES = new Set(['CSV', 'TSV', 'JSONLD', 'Adblock Filter List']);
const DATA_EXTENSION = /\.(?:csv|tsv|jsonl|ndjson|parquet|avro|arff)$/i;
const PROSE_LANGUAGES = new Set(['Markdown', 'reStructuredText', 'AsciiDoc', 'Text', 'Org', 'RDoc', 'MDX', 'Pod']);
const PROGRAMMING_OR_MARKUP = /^(?:programming|markup)$/;

/** Package manifests and build files: what a reader opens first to understand a project. */
const MANIFESTS = new Set([
  'package.json',
  'Cargo.toml',
  'go.mod',
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'requirements.txt',
  'Pipfile',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'settings.gradle',
  'Gemfile',
  'composer.json',
  'mix.exs',
  'pubspec.yaml',
  'Package.swift',
  'CMakeLists.txt',
  'Makefile',
  'meson.build',
  'Dockerfile',
  'deno.json',
  'tsconfig.json',
  'build.sbt',
  'stack.yaml',
  'dune-project',
]);
const ENTRY_POINT = /^(?:index|main|app|cli|server|mod|lib|__init__|__main__|program|application)\.[^.]+$/i;

export function categoryOf(path: string, language: string | null, languageType: string | null): FileCategory {
  if (DOC_FILE.test(path)) return 'docs';
  if (TEST_DIR.test(path) || TEST_FILE.test(path)) return 'test';
  if (EXAMPLE_DIR.test(path)) return 'example';
  if (DOCS_DIR.test(path) || (language !== null && PROSE_LANGUAGES.has(language))) return 'docs';
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (MANIFESTS.has(name)) return 'config';
  if (language !== null && CONFIG_LANGUAGES.has(language)) return 'config';
  if (name.startsWith('.')) return 'config';
  if ((language !== null && DATA_LANGUAGES.has(language)) || DATA_EXTENSION.test(name)) return 'data';
  if (languageType !== null && PROGRAMMING_OR_MARKUP.test(languageType)) return 'source';
  return 'other';
}

export function isManifest(name: string): boolean {
  return MANIFESTS.has(name);
}

export function isEntryPoint(name: string): boolean {
  return ENTRY_POINT.test(name);
}
