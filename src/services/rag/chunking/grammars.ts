/**
 * Which tree-sitter grammar parses which language, and loading them. Grammars are the prebuilt
 * WASM files of `@repomix/tree-sitter-wasms` (pinned), run by `web-tree-sitter` (pinned): that
 * pair ships every grammar the chunker needs, C included (`@vscode/tree-sitter-wasm` has no C).
 * Languages are Linguist names (the manifest's `language`); when it is missing or unknown the
 * file extension decides, so a `.ts` file with a null language still gets syntax-aware chunks.
 */
import { createRequire } from 'node:module';
import { Language, Parser } from 'web-tree-sitter';

/** Grammar ids: the `tree-sitter-<id>.wasm` file names. */
export type GrammarId =
  'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'java' | 'rust' | 'c' | 'cpp' | 'c_sharp' | 'ruby' | 'php';

export const GRAMMAR_IDS: readonly GrammarId[] = [
  'typescript',
  'tsx',
  'javascript',
  'python',
  'go',
  'java',
  'rust',
  'c',
  'cpp',
  'c_sharp',
  'ruby',
  'php',
];

/** Linguist language name → grammar. */
const BY_LANGUAGE: ReadonlyMap<string, GrammarId> = new Map<string, GrammarId>([
  ['TypeScript', 'typescript'],
  ['TSX', 'tsx'],
  ['JavaScript', 'javascript'],
  ['JSX', 'javascript'],
  ['Python', 'python'],
  ['Go', 'go'],
  ['Java', 'java'],
  ['Rust', 'rust'],
  ['C', 'c'],
  ['C++', 'cpp'],
  ['C#', 'c_sharp'],
  ['Ruby', 'ruby'],
  ['PHP', 'php'],
]);

/** Lower-case extension → grammar, for files without a (known) language. */
const BY_EXTENSION: ReadonlyMap<string, GrammarId> = new Map<string, GrammarId>([
  ['.ts', 'typescript'],
  ['.mts', 'typescript'],
  ['.cts', 'typescript'],
  ['.tsx', 'tsx'],
  ['.js', 'javascript'],
  ['.mjs', 'javascript'],
  ['.cjs', 'javascript'],
  ['.jsx', 'javascript'],
  ['.py', 'python'],
  ['.pyi', 'python'],
  ['.go', 'go'],
  ['.java', 'java'],
  ['.rs', 'rust'],
  ['.c', 'c'],
  ['.h', 'c'],
  ['.cc', 'cpp'],
  ['.cpp', 'cpp'],
  ['.cxx', 'cpp'],
  ['.hh', 'cpp'],
  ['.hpp', 'cpp'],
  ['.hxx', 'cpp'],
  ['.cs', 'c_sharp'],
  ['.rb', 'ruby'],
  ['.php', 'php'],
]);

const MARKDOWN_LANGUAGES = new Set(['Markdown', 'MDX']);
const MARKDOWN_EXTENSIONS = new Set(['.md', '.markdown', '.mdx']);

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot).toLowerCase();
}

/** The grammar for a file, or undefined when it gets line windows. */
export function grammarFor(path: string, language: string | null): GrammarId | undefined {
  if (language !== null) {
    const byLanguage = BY_LANGUAGE.get(language);
    if (byLanguage !== undefined) return byLanguage;
    // A language Linguist knows but we have no grammar for (e.g. Markdown, JSON) is not re-guessed
    // from the extension: Linguist already looked at more than the extension.
    return undefined;
  }
  return BY_EXTENSION.get(extensionOf(path));
}

export function isMarkdown(path: string, language: string | null): boolean {
  return language === null ? MARKDOWN_EXTENSIONS.has(extensionOf(path)) : MARKDOWN_LANGUAGES.has(language);
}

// web-tree-sitter's runtime is process-wide (one Emscripten module); initialising it once per
// process is its contract, so the promise is shared. Nothing happens until a chunker is created.
let runtime: Promise<void> | undefined;

/** Loads every grammar once and makes one parser per grammar (parsers are reused across files). */
export async function loadParsers(): Promise<Map<GrammarId, Parser>> {
  runtime ??= Parser.init();
  await runtime;
  const require = createRequire(import.meta.url);
  const parsers = new Map<GrammarId, Parser>();
  for (const id of GRAMMAR_IDS) {
    const file = require.resolve(`@repomix/tree-sitter-wasms/out/tree-sitter-${id}.wasm`);
    const language = await Language.load(file);
    parsers.set(id, new Parser().setLanguage(language));
  }
  return parsers;
}
