/**
 * The table of comment and string syntaxes per language, keyed by Linguist language name (the
 * names `linguist-languages` uses). One entry per lexical family, shared by every language that
 * spells comments and strings the same way. Adding a language is adding a row here; the scanner
 * never names a language. What each field means is in `syntax-types.ts`.
 */
import * as linguist from 'linguist-languages';
import type {
  BlockCommentRule,
  EmbeddedRule,
  LanguageSyntax,
  LineCommentRule,
  SpecialRule,
  StringRule,
} from './syntax-types.js';

interface Parts {
  readonly lineComments?: readonly LineCommentRule[];
  readonly blockComments?: readonly BlockCommentRule[];
  readonly strings?: readonly StringRule[];
  readonly specials?: readonly SpecialRule[];
  readonly embedded?: readonly EmbeddedRule[];
}

const family = (parts: Parts): Omit<LanguageSyntax, 'name'> => ({
  lineComments: parts.lineComments ?? [],
  blockComments: parts.blockComments ?? [],
  strings: parts.strings ?? [],
  specials: parts.specials ?? [],
  embedded: parts.embedded ?? [],
});

// Building blocks.
const slashes: LineCommentRule = { marker: '//' };
const hash: LineCommentRule = { marker: '#' };
const dashes: LineCommentRule = { marker: '--' };
const cBlock: BlockCommentRule = { open: '/*', close: '*/' };
const cBlockNested: BlockCommentRule = { open: '/*', close: '*/', nested: true };
const htmlBlock: BlockCommentRule = { open: '<!--', close: '-->' };
const dq: StringRule = { open: '"', close: '"', escape: true, multiline: false };
const sq: StringRule = { open: "'", close: "'", escape: true, multiline: false };
const dqMulti: StringRule = { open: '"', close: '"', escape: true, multiline: true };
const sqMulti: StringRule = { open: "'", close: "'", escape: true, multiline: true };
const charLiteral: StringRule = { open: "'", close: "'", escape: true, multiline: false, char: true };
const tripleDq: StringRule = { open: '"""', close: '"""', escape: true, multiline: true };
const tripleDqRaw: StringRule = { open: '"""', close: '"""', escape: false, multiline: true };

const jsScript = (openTag: string): string => {
  const lang = /\blang\s*=\s*["']?([\w+-]+)/i.exec(openTag)?.[1]?.toLowerCase();
  if (lang === 'ts' || lang === 'typescript') return 'TypeScript';
  if (lang === 'tsx') return 'TSX';
  if (lang !== undefined) return 'JavaScript';
  const type = /\btype\s*=\s*["']?([^"'\s>]+)/i.exec(openTag)?.[1]?.toLowerCase();
  if (type === undefined || type === 'module' || type.includes('javascript') || type.includes('ecmascript')) {
    return 'JavaScript';
  }
  if (type.includes('typescript')) return 'TypeScript';
  if (type.includes('json')) return 'JSON';
  return 'Text'; // templates, shaders: opaque text
};
const styleSheet = (openTag: string): string => {
  const lang = /\blang\s*=\s*["']?([\w-]+)/i.exec(openTag)?.[1]?.toLowerCase();
  if (lang === 'scss') return 'SCSS';
  if (lang === 'less') return 'Less';
  if (lang === 'sass') return 'Sass';
  if (lang === 'stylus' || lang === 'styl') return 'Stylus';
  return 'CSS';
};
const scriptAndStyle: readonly EmbeddedRule[] = [
  { tag: 'script', language: jsScript },
  { tag: 'style', language: styleSheet },
];

const C = family({ lineComments: [slashes], blockComments: [cBlock], strings: [dq, charLiteral] });
const CPP = family({
  lineComments: [slashes],
  blockComments: [cBlock],
  strings: [dq, charLiteral],
  specials: ['cpp-raw-string'],
});
const CSHARP = family({
  lineComments: [slashes],
  blockComments: [cBlock],
  strings: [
    tripleDqRaw, // C# 11 raw string literal
    { open: '@"', close: '"', escape: false, multiline: true, doubled: true }, // verbatim
    dq,
    charLiteral,
  ],
});
const JAVA = family({ lineComments: [slashes], blockComments: [cBlock], strings: [tripleDq, dq, charLiteral] });
const KOTLIN = family({
  lineComments: [slashes],
  blockComments: [cBlockNested],
  strings: [{ ...tripleDqRaw, interpolation: '${' }, { ...dq, interpolation: '${' }, charLiteral],
});
const SCALA = family({
  lineComments: [slashes],
  blockComments: [cBlockNested],
  strings: [tripleDqRaw, dq, charLiteral],
});
const GROOVY = family({
  lineComments: [slashes],
  blockComments: [cBlock],
  strings: [tripleDq, { open: "'''", close: "'''", escape: true, multiline: true }, dq, sq],
});
const DART = family({
  lineComments: [slashes],
  blockComments: [cBlockNested],
  strings: [
    { ...tripleDq, interpolation: '${' },
    { open: "'''", close: "'''", escape: true, multiline: true, interpolation: '${' },
    { ...dq, interpolation: '${' },
    { ...sq, interpolation: '${' },
  ],
});
const SWIFT = family({
  lineComments: [slashes],
  blockComments: [cBlockNested],
  strings: [tripleDq, dq],
  specials: ['swift-raw-string'],
});
const GO = family({
  lineComments: [slashes],
  blockComments: [cBlock],
  strings: [dq, charLiteral, { open: '`', close: '`', escape: false, multiline: true }],
});
const RUST = family({
  lineComments: [slashes],
  blockComments: [cBlockNested],
  strings: [dqMulti, charLiteral],
  specials: ['rust-raw-string'],
});
const ZIG = family({ lineComments: [slashes], strings: [dq, charLiteral] });
const JAVASCRIPT = family({
  lineComments: [slashes],
  blockComments: [cBlock],
  strings: [dq, sq, { open: '`', close: '`', escape: true, multiline: true, interpolation: '${' }],
  specials: ['js-regex'],
});
const JSON_DATA = family({ strings: [dq] });
const JSON_COMMENTS = family({ lineComments: [slashes], blockComments: [cBlock], strings: [dq, sq] });
const PYTHON = family({
  lineComments: [hash],
  strings: [
    // cloc counts every triple-quoted string as comment (its docstring_to_C filter); so do we.
    { open: '"""', close: '"""', escape: true, multiline: true, asComment: true },
    { open: "'''", close: "'''", escape: true, multiline: true, asComment: true },
    dq,
    sq,
  ],
});
const RUBY = family({
  lineComments: [hash],
  blockComments: [{ open: '=begin', close: '=end', atLineStart: true }],
  strings: [
    { ...dqMulti, interpolation: '#{', notAfter: '$' },
    { ...sqMulti, notAfter: '$' },
    { open: '`', close: '`', escape: true, multiline: true, interpolation: '#{', notAfter: '$' },
  ],
  specials: ['ruby-heredoc', 'ruby-regex'],
});
const PERL = family({
  lineComments: [hash],
  blockComments: ['=pod', '=head1', '=head2', '=over', '=begin', '=for', '=encoding'].map((open) => ({
    open,
    close: '=cut',
    atLineStart: true,
  })),
  strings: [dqMulti, sqMulti],
  specials: ['shell-heredoc'],
});
const PHP = family({
  lineComments: [{ marker: '#', notFollowedBy: '[' }, slashes],
  blockComments: [cBlock],
  strings: [dqMulti, sqMulti],
  specials: ['php-heredoc'],
});
const SHELL = family({
  lineComments: [{ marker: '#', atWordStart: true }],
  strings: [
    { open: "'", close: "'", escape: false, multiline: true, commentLinesStartingWith: '#' },
    { ...dqMulti, commentLinesStartingWith: '#' },
    { open: '`', close: '`', escape: true, multiline: true },
  ],
  specials: ['shell-heredoc'],
});
const POWERSHELL = family({
  lineComments: [hash],
  blockComments: [{ open: '<#', close: '#>' }],
  strings: [
    { open: '@"', close: '"@', escape: false, multiline: true },
    { open: "@'", close: "'@", escape: false, multiline: true },
    { open: '"', close: '"', escape: false, multiline: true, doubled: true },
    { open: "'", close: "'", escape: false, multiline: true, doubled: true },
  ],
});
const CSS = family({ blockComments: [cBlock], strings: [dq, sq] });
const CSS_WITH_LINE_COMMENTS = family({ lineComments: [slashes], blockComments: [cBlock], strings: [dq, sq] });
const HTML = family({ blockComments: [htmlBlock], embedded: scriptAndStyle });
const XML = family({ blockComments: [htmlBlock] });
const MARKDOWN = family({
  // The link-reference comment idioms cloc removes: `[//]: # (...)`, `[comment]: <> (...)`, `[](...)`.
  lineComments: [{ marker: '[', atLineStart: true, pattern: /\[(?:comment|\/\/)?\]\s*:?\s*(?:<\s*>|#)?\s*\(/y }],
  blockComments: [htmlBlock],
});
const YAML = family({
  lineComments: [{ marker: '#', atWordStart: true }],
  strings: [
    { ...dq, atValueStart: true },
    { open: "'", close: "'", escape: false, multiline: false, doubled: true, atValueStart: true },
  ],
});
const TOML = family({
  lineComments: [hash],
  strings: [tripleDq, { open: "'''", close: "'''", escape: false, multiline: true }, dq, { ...sq, escape: false }],
});
const INI = family({
  lineComments: [
    { marker: ';', atLineStart: true },
    { marker: '#', atLineStart: true },
  ],
});
const SQL = family({
  lineComments: [dashes],
  blockComments: [cBlock],
  strings: [
    { open: "'", close: "'", escape: false, multiline: true, doubled: true },
    { open: '"', close: '"', escape: false, multiline: false, doubled: true },
  ],
});
const LUA = family({ lineComments: [dashes], strings: [dq, sq], specials: ['lua-long-bracket'] });
const HASKELL = family({
  lineComments: [dashes],
  blockComments: [{ open: '{-', close: '-}', nested: true }],
  strings: [dq, charLiteral],
});
const ML = family({ blockComments: [{ open: '(*', close: '*)', nested: true }], strings: [dqMulti] });
const FSHARP = family({
  lineComments: [slashes],
  blockComments: [{ open: '(*', close: '*)', nested: true }],
  strings: [tripleDqRaw, dq],
});
const HASH_ONLY = family({ lineComments: [hash] });
const DOCKERFILE = family({ lineComments: [{ marker: '#', atLineStart: true }] });
const HASH_AT_LINE_START = DOCKERFILE;
const PROPERTIES = family({
  lineComments: [
    { marker: '#', atLineStart: true },
    { marker: '!', atLineStart: true },
  ],
});
const HCL = family({
  lineComments: [hash, slashes],
  blockComments: [cBlock],
  strings: [{ ...dq, interpolation: '${' }],
  specials: ['shell-heredoc'],
});
const CMAKE = family({
  lineComments: [hash],
  blockComments: [{ open: '#[[', close: ']]' }],
  strings: [dqMulti],
});
const NIX = family({
  lineComments: [hash],
  blockComments: [cBlock],
  strings: [
    { ...dqMulti, interpolation: '${' },
    { open: "''", close: "''", escape: false, multiline: true },
  ],
});
const GRAPHQL = family({ lineComments: [hash], strings: [tripleDq, dq] });
const ELIXIR = family({
  lineComments: [hash],
  strings: [tripleDq, { open: "'''", close: "'''", escape: true, multiline: true }, dqMulti, sqMulti],
});
const JULIA = family({
  lineComments: [hash],
  blockComments: [{ open: '#=', close: '=#', nested: true }],
  strings: [tripleDq, dqMulti],
});
const R = family({ lineComments: [hash], strings: [dqMulti, sqMulti] });
const ERLANG = family({ lineComments: [{ marker: '%' }], strings: [dqMulti] });
const LISP = family({ lineComments: [{ marker: ';' }], strings: [dqMulti] });
const PLAIN = family({});

const families: ReadonlyArray<readonly [Omit<LanguageSyntax, 'name'>, readonly string[]]> = [
  [C, ['C', 'Objective-C', 'CUDA', 'GLSL', 'HLSL', 'Protocol Buffer', 'Thrift', 'Solidity', 'Verilog']],
  [CPP, ['C++', 'Objective-C++']],
  [CSHARP, ['C#']],
  [JAVA, ['Java']],
  [KOTLIN, ['Kotlin']],
  [SCALA, ['Scala']],
  [GROOVY, ['Groovy', 'Gradle', 'Jenkinsfile']],
  [DART, ['Dart']],
  [SWIFT, ['Swift']],
  [GO, ['Go']],
  [RUST, ['Rust']],
  [ZIG, ['Zig']],
  [JAVASCRIPT, ['JavaScript', 'TypeScript', 'TSX', 'JSX']],
  [JSON_DATA, ['JSON', 'JSON5', 'JSONLD', 'GeoJSON']],
  [JSON_COMMENTS, ['JSON with Comments']],
  [PYTHON, ['Python', 'Starlark', 'Cython']],
  [RUBY, ['Ruby']],
  [PERL, ['Perl']],
  [PHP, ['PHP', 'Hack']],
  [SHELL, ['Shell', 'Bash', 'Zsh', 'ShellSession']],
  [POWERSHELL, ['PowerShell']],
  [CSS, ['CSS']],
  [CSS_WITH_LINE_COMMENTS, ['SCSS', 'Less', 'Sass', 'Stylus']],
  [HTML, ['HTML', 'Vue', 'Svelte', 'Astro']],
  [XML, ['XML', 'SVG', 'XSLT', 'XML Property List', 'Maven POM', 'Ant Build System']],
  [MARKDOWN, ['Markdown', 'MDX']],
  [YAML, ['YAML']],
  [TOML, ['TOML']],
  [INI, ['INI', 'Git Config', 'EditorConfig']],
  [PROPERTIES, ['Java Properties']],
  [SQL, ['SQL', 'PLpgSQL', 'PLSQL', 'TSQL', 'SQLPL']],
  [LUA, ['Lua', 'Luau']],
  [HASKELL, ['Haskell', 'Elm', 'PureScript']],
  [ML, ['OCaml', 'Standard ML']],
  [FSHARP, ['F#']],
  [HASH_ONLY, ['Makefile', 'Dotenv', 'Nginx']],
  [HASH_AT_LINE_START, ['Ignore List', 'Git Attributes']],
  [DOCKERFILE, ['Dockerfile']],
  [HCL, ['HCL', 'Terraform']],
  [CMAKE, ['CMake']],
  [NIX, ['Nix']],
  [GRAPHQL, ['GraphQL']],
  [ELIXIR, ['Elixir']],
  [JULIA, ['Julia']],
  [R, ['R']],
  [ERLANG, ['Erlang']],
  [LISP, ['Clojure', 'Common Lisp', 'Emacs Lisp', 'Scheme', 'Racket']],
  [PLAIN, ['Text']],
];

const byName = new Map<string, LanguageSyntax>();
for (const [syntax, names] of families) {
  for (const name of names) byName.set(name.toLowerCase(), { name, ...syntax });
}

/**
 * Linguist languages not named above borrow a row through Linguist's own data: their `group`
 * (`Gentoo Ebuild` is in group Shell) or their editor mode (`aceMode: xml` for `Maven POM`).
 */
const FAMILY_BY_ACE_MODE: Readonly<Record<string, Omit<LanguageSyntax, 'name'>>> = {
  c_cpp: CPP,
  objectivec: C,
  glsl: C,
  verilog: C,
  d: C,
  csharp: CSHARP,
  java: JAVA,
  groovy: GROOVY,
  swift: SWIFT,
  golang: GO,
  rust: RUST,
  javascript: JAVASCRIPT,
  typescript: JAVASCRIPT,
  json: JSON_DATA,
  json5: JSON_COMMENTS,
  python: PYTHON,
  ruby: RUBY,
  perl: PERL,
  php: PHP,
  sh: SHELL,
  less: CSS_WITH_LINE_COMMENTS,
  css: CSS,
  html: HTML,
  xml: XML,
  markdown: MARKDOWN,
  yaml: YAML,
  toml: TOML,
  ini: INI,
  properties: PROPERTIES,
  gitignore: HASH_AT_LINE_START,
  sql: SQL,
  lua: LUA,
  haskell: HASKELL,
  ocaml: ML,
  lisp: LISP,
  clojure: LISP,
  scheme: LISP,
  text: PLAIN,
};

let borrowed: Map<string, LanguageSyntax> | undefined;

function borrowedRows(): Map<string, LanguageSyntax> {
  const rows = new Map<string, LanguageSyntax>();
  for (const entry of Object.values(linguist) as { name: string; group?: string; aceMode?: string }[]) {
    if (byName.has(entry.name.toLowerCase())) continue;
    const fromGroup = entry.group === undefined ? undefined : byName.get(entry.group.toLowerCase());
    const family = fromGroup ?? (entry.aceMode === undefined ? undefined : FAMILY_BY_ACE_MODE[entry.aceMode]);
    if (family !== undefined) rows.set(entry.name.toLowerCase(), { ...family, name: entry.name });
  }
  return rows;
}

/** The syntax for a Linguist language name (case-insensitive), or undefined when none fits. */
export function syntaxFor(language: string): LanguageSyntax | undefined {
  const key = language.toLowerCase();
  const own = byName.get(key);
  if (own !== undefined) return own;
  borrowed ??= borrowedRows();
  return borrowed.get(key);
}

/** True when the table names the language itself (not borrowed through Linguist's data). */
export function isTableLanguage(language: string): boolean {
  return byName.has(language.toLowerCase());
}

/** Every Linguist name the table knows. */
export function countingLanguages(): string[] {
  return [...byName.values()].map((syntax) => syntax.name);
}

/** A language with no comments: every non-blank line is code. Used for names not in the table. */
export const plainSyntax: LanguageSyntax = { name: 'Text', ...PLAIN };
