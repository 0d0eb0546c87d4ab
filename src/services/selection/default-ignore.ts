/**
 * What selection leaves out even when the repository's .gitignore does not say so: the union of
 * what well-known packers and indexers skip by default (repomix's default ignore list, GitHub
 * Linguist's vendor/generated lists, ripgrep/ignore conventions): dependency folders, build
 * output, caches, editor and OS files, lock files, minified bundles and source maps, media and
 * archives. Looked up in Sets by name and extension, so the cost per path is a few hash lookups.
 * The rule string names the pattern the way a .gitignore would write it.
 */

/** Directory names skipped anywhere in the tree (not descended into). */
const DIRECTORIES = new Set([
  'node_modules',
  'bower_components',
  'jspm_packages',
  'web_modules',
  '.pnpm-store',
  '.yarn',
  'dist',
  'build',
  'out',
  'target',
  '.next',
  '.nuxt',
  '.svelte-kit',
  '.output',
  '.turbo',
  '.parcel-cache',
  'coverage',
  '.nyc_output',
  '.cache',
  '__pycache__',
  '.pytest_cache',
  '.mypy_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  '.venv',
  'venv',
  '.eggs',
  '.gradle',
  '.idea',
  '.vscode',
  '.vs',
  '.terraform',
  '.serverless',
  '.dart_tool',
  '.stack-work',
  '.bundle',
  '.sass-cache',
  '.svn',
  '.hg',
]);

/** Exact file names: lock files, OS and editor droppings. */
const FILES = new Set([
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lockb',
  'bun.lock',
  'deno.lock',
  'Cargo.lock',
  'poetry.lock',
  'Pipfile.lock',
  'pdm.lock',
  'uv.lock',
  'Gemfile.lock',
  'composer.lock',
  'go.sum',
  'Gopkg.lock',
  'glide.lock',
  'mix.lock',
  'pubspec.lock',
  'Podfile.lock',
  'packages.lock.json',
  'flake.lock',
  'gradle.lockfile',
  'Package.resolved',
  '.DS_Store',
  'Thumbs.db',
  'desktop.ini',
  '.eslintcache',
]);

/** Compound suffixes checked before the plain extension. */
const SUFFIXES = ['.min.js', '.min.mjs', '.min.cjs', '.min.css', '.js.map', '.css.map', '.tsbuildinfo'];

/** Extensions (lower-cased, without the dot) of media, archives, compiled objects and similar. */
const EXTENSIONS = new Set([
  // source maps and editor swap/backup files
  'map',
  'swp',
  'swo',
  'log',
  // images
  'png',
  'jpg',
  'jpeg',
  'gif',
  'bmp',
  'ico',
  'icns',
  'tif',
  'tiff',
  'webp',
  'avif',
  'heic',
  'psd',
  'xcf',
  'ai',
  'eps',
  'raw',
  'cr2',
  'nef',
  // audio and video
  'mp3',
  'wav',
  'ogg',
  'flac',
  'aac',
  'm4a',
  'wma',
  'mid',
  'midi',
  'mp4',
  'm4v',
  'mov',
  'avi',
  'mkv',
  'webm',
  'wmv',
  'flv',
  'mpg',
  'mpeg',
  // fonts
  'ttf',
  'otf',
  'woff',
  'woff2',
  'eot',
  // archives and packages
  'zip',
  'tar',
  'gz',
  'tgz',
  'bz2',
  'xz',
  'zst',
  '7z',
  'rar',
  'jar',
  'war',
  'ear',
  'aar',
  'whl',
  'egg',
  'gem',
  'nupkg',
  'deb',
  'rpm',
  'dmg',
  'iso',
  'apk',
  'ipa',
  'msi',
  // compiled objects and binaries
  'exe',
  'dll',
  'so',
  'dylib',
  'a',
  'lib',
  'o',
  'obj',
  'class',
  'pyc',
  'pyo',
  'pyd',
  'wasm',
  'node',
  'bin',
  'dat',
  // documents that are binary containers
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'odt',
  'ods',
  'odp',
  // databases
  'sqlite',
  'sqlite3',
  'db',
  'mdb',
]);

/** The default rule that excludes directory `name`, e.g. `default node_modules/`; undefined when none. */
export function defaultIgnoredDirectory(name: string): string | undefined {
  return DIRECTORIES.has(name) ? `default ${name}/` : undefined;
}

/** The default rule that excludes file `name` (its base name), e.g. `default *.png`; undefined when none. */
export function defaultIgnoredFile(name: string): string | undefined {
  if (FILES.has(name)) return `default ${name}`;
  const lower = name.toLowerCase();
  for (const suffix of SUFFIXES) if (lower.endsWith(suffix)) return `default *${suffix}`;
  const dot = lower.lastIndexOf('.');
  if (dot > 0 && EXTENSIONS.has(lower.slice(dot + 1))) return `default *${lower.slice(dot)}`;
  return undefined;
}
