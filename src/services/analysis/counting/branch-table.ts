/**
 * The table of branch points per language for fileComplexity: which keywords and operators start
 * a new path through the code (McCabe's decisions, counted the way lizard and ESLint's `complexity`
 * rule do). `else` and `default` add no path; `else if` counts once, through its `if`; a loop
 * counts once; each `case`/`when` arm counts once; short-circuit `&&`/`||` (and `and`/`or`, `??`,
 * Kotlin's `?:`) count once each; a ternary `?` counts when written with spaces on both sides
 * (`a ? b : c`), which tells it apart from optional types, `?.` and Ruby's `empty?`. The full
 * list per language is below; README.md states what is approximate.
 */

export interface BranchTable {
  readonly keywords: ReadonlySet<string>;
  /** Among `&&`, `||`, `??`, `?:`, `;;`, `=>`. */
  readonly operators: ReadonlySet<string>;
  /** `cond ? a : b` exists in the language. */
  readonly ternary: boolean;
  /** Keywords match regardless of case (SQL, PowerShell, CMake). */
  readonly caseInsensitive?: boolean;
  /** Keywords count only right after this character (SCSS `@if`). */
  readonly keywordPrefix?: string;
}

const table = (
  keywords: string,
  operators: string,
  ternary: boolean,
  extra: Pick<BranchTable, 'caseInsensitive' | 'keywordPrefix'> = {},
): BranchTable => ({
  keywords: new Set(keywords.split(' ').filter(Boolean)),
  operators: new Set(operators.split(' ').filter(Boolean)),
  ternary,
  ...extra,
});

const C_LIKE = table('if for while case catch', '&& ||', true);
const JS = table('if for while case catch', '&& || ??', true);
const CSHARP = table('if for foreach while case catch', '&& || ??', true);
const SWIFT = table('if guard for while case catch', '&& || ??', true);
const DART = table('if for while case catch', '&& || ??', true);
const GROOVY = table('if for while case catch', '&& || ?:', true);
const KOTLIN = table('if for while when catch', '&& || ?:', false);
const SCALA = table('if for while case catch', '&& ||', false);
const GO = table('if for case', '&& ||', false);
const RUST = table('if for while', '&& || =>', false);
const ZIG = table('if for while catch orelse and or', '=>', false);
const PYTHON = table('if elif for while except case and or', '', false);
const RUBY = table('if elsif unless while until for when rescue and or', '&& ||', true);
const PERL = table('if elsif unless while until for foreach and or', '&& ||', true);
const PHP = table('if elseif for foreach while case catch and or', '&& || ??', true);
const SHELL = table('if elif for while until', '&& || ;;', false);
const POWERSHELL = table('if elseif for foreach while case catch and or', '&& ||', true, { caseInsensitive: true });
const LUA = table('if elseif for while until and or', '', false);
const SQL = table('when if elsif while', '', false, { caseInsensitive: true });
const HASKELL = table('if case', '&& ||', false);
const ML = table('if for while when', '&& ||', false);
const ELIXIR = table('if unless case cond and or', '&& ||', false);
const JULIA = table('if elseif for while catch', '&& ||', true);
const R = table('if for while', '&& ||', false);
const ERLANG = table('if case receive when andalso orelse', '', false);
const LISP = table('if when unless cond case and or', '', false);
const STYLESHEET = table('if each for while', '', false, { keywordPrefix: '@' });
const MAKE = table('ifeq ifneq ifdef ifndef', '&& ||', false);
const CMAKE = table('if elseif foreach while', '', false, { caseInsensitive: true });
const HCL = table('for if', '&& ||', true);
const NIX = table('if', '&& ||', false);
/** Pages whose branches are all in embedded `<script>` regions: 1 + those. */
const PAGE = table('', '', false);

const tables: ReadonlyArray<readonly [BranchTable, readonly string[]]> = [
  [C_LIKE, ['C', 'C++', 'Objective-C', 'Objective-C++', 'CUDA', 'GLSL', 'HLSL', 'Java', 'Solidity']],
  [JS, ['JavaScript', 'TypeScript', 'TSX', 'JSX']],
  [CSHARP, ['C#']],
  [SWIFT, ['Swift']],
  [DART, ['Dart']],
  [GROOVY, ['Groovy', 'Gradle', 'Jenkinsfile']],
  [KOTLIN, ['Kotlin']],
  [SCALA, ['Scala']],
  [GO, ['Go']],
  [RUST, ['Rust']],
  [ZIG, ['Zig']],
  [PYTHON, ['Python', 'Starlark', 'Cython']],
  [RUBY, ['Ruby']],
  [PERL, ['Perl']],
  [PHP, ['PHP', 'Hack']],
  [SHELL, ['Shell', 'Bash', 'Zsh']],
  [POWERSHELL, ['PowerShell']],
  [LUA, ['Lua', 'Luau']],
  [SQL, ['SQL', 'PLpgSQL', 'PLSQL', 'TSQL', 'SQLPL']],
  [HASKELL, ['Haskell', 'Elm', 'PureScript']],
  [ML, ['OCaml', 'Standard ML', 'F#']],
  [ELIXIR, ['Elixir']],
  [JULIA, ['Julia']],
  [R, ['R']],
  [ERLANG, ['Erlang']],
  [LISP, ['Clojure', 'Common Lisp', 'Emacs Lisp', 'Scheme', 'Racket']],
  [STYLESHEET, ['SCSS', 'Less', 'Sass', 'Stylus']],
  [MAKE, ['Makefile']],
  [CMAKE, ['CMake']],
  [HCL, ['HCL', 'Terraform']],
  [NIX, ['Nix']],
  [PAGE, ['HTML', 'Vue', 'Svelte', 'Astro']],
];

const byName = new Map<string, BranchTable>();
for (const [branchTable, names] of tables) for (const name of names) byName.set(name.toLowerCase(), branchTable);

/** The branch table of a Linguist language; undefined for data and markup (JSON, YAML, CSS, Markdown...). */
export function branchTableFor(language: string): BranchTable | undefined {
  return byName.get(language.toLowerCase());
}
