// ESLint: type-aware TypeScript rules plus the architecture's import direction (DESIGN.md §2):
// domain ← contracts ← ports ← services ← runtime / http / cli ← main; adapters implement ports
// and only the composition root (src/main.ts) picks them.
import js from '@eslint/js';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const layer = (name) => `./src/${name}`;

/** Each zone forbids `target` to import from `from`: inner layers never see outer ones. */
const layerZones = [
  {
    target: layer('domain'),
    from: [
      'contracts',
      'config',
      'ports',
      'adapters',
      'services',
      'runtime',
      'monitoring',
      'http',
      'cli',
      'main.ts',
    ].map(layer),
  },
  {
    target: layer('config'),
    from: ['ports', 'adapters', 'services', 'runtime', 'monitoring', 'http', 'cli', 'main.ts'].map(layer),
  },
  {
    target: layer('contracts'),
    from: ['ports', 'adapters', 'services', 'runtime', 'monitoring', 'http', 'cli', 'main.ts'].map(layer),
  },
  {
    target: layer('ports'),
    from: ['adapters', 'services', 'runtime', 'monitoring', 'http', 'cli', 'main.ts'].map(layer),
  },
  { target: layer('adapters'), from: ['services', 'runtime', 'http', 'cli', 'main.ts'].map(layer) },
  { target: layer('services'), from: ['adapters', 'runtime', 'http', 'cli', 'main.ts'].map(layer) },
  { target: layer('monitoring'), from: ['adapters', 'services', 'runtime', 'http', 'cli', 'main.ts'].map(layer) },
  { target: layer('runtime'), from: ['adapters', 'http', 'cli', 'main.ts'].map(layer) },
  { target: layer('http'), from: ['adapters', 'cli', 'main.ts'].map(layer) },
  { target: layer('cli'), from: ['adapters', 'http', 'main.ts'].map(layer) },
];

export default tseslint.config(
  // test/fixtures/rag-corpus holds third-party code copied verbatim for the RAG evaluation.
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'infra/kafka/libs/',
      '.kafka/',
      '.repolens/',
      'test/fixtures/rag-corpus/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: {
      // no-cycle parses the imported files itself and needs to know .ts is TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      // Sources import './x.js' for files named x.ts (NodeNext): resolve them to the .ts file.
      'import-x/resolver-next': [
        createNodeResolver({ extensions: ['.ts', '.js'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Handlers implement Promise-returning ports; an async body without await is fine there.
      '@typescript-eslint/require-await': 'off',
      // ignoreExternal: third-party bundles (PGlite's is minified) are not ours to untangle.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': ['error', { zones: layerZones }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only src/main.ts reads the environment; pass config in.' },
        { object: 'process', property: 'exit', message: 'Only src/main.ts exits.' },
        { object: 'process', property: 'argv', message: 'Only src/main.ts reads argv.' },
      ],
    },
  },
  {
    // The composition root and the developer scripts/tests are where process state belongs.
    files: ['src/main.ts', 'scripts/**', 'test/**', 'bench/**', 'vitest.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // A program of its own (forked by spawn-client.ts), so it owns its process.
    files: ['src/adapters/system/spawn-server.mjs'],
    languageOptions: { globals: { process: 'readonly' } },
    rules: { 'no-restricted-properties': 'off' },
  },
);
