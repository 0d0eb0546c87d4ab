/**
 * The shape of one language's lexical syntax as the line counter needs it: where comments and
 * strings start and end. Only what decides "is this character code, comment or neither" is
 * modelled; everything else about a language is irrelevant to counting lines. The table of
 * languages is in `syntax-table.ts`; the scanner that interprets it is `scanner.ts`.
 */

/** A comment that runs to the end of the line. */
export interface LineCommentRule {
  readonly marker: string;
  /** Only when it is the first non-blank text of the line (Dockerfile, Markdown link comments). */
  readonly atLineStart?: boolean;
  /** Only at the start of a word: after whitespace, the line start or one of `;|&()` (Shell, YAML). */
  readonly atWordStart?: boolean;
  /** Not a comment when the marker is followed by this text (PHP 8 attributes `#[...]`). */
  readonly notFollowedBy?: string;
  /** A sticky pattern that must also match at the marker (Markdown's `[//]: # (...)` idiom). */
  readonly pattern?: RegExp;
}

/** A comment between an opening and a closing marker, possibly over many lines. */
export interface BlockCommentRule {
  readonly open: string;
  readonly close: string;
  /** Inner `open`s need their own `close` (Rust, Swift, Kotlin, Scala, Haskell). */
  readonly nested?: boolean;
  /** Both markers count only at column 0, and the closing line is comment to its end (Ruby `=begin`). */
  readonly atLineStart?: boolean;
}

/** A string (or character) literal: its content is code, never a comment. */
export interface StringRule {
  readonly open: string;
  readonly close: string;
  /** A backslash escapes the next character (including a newline: a continued string). */
  readonly escape: boolean;
  /** May span lines; otherwise an unescaped newline ends it (unterminated literal). */
  readonly multiline: boolean;
  /** A doubled close (`''` in SQL, `""` in C# verbatim strings) is an escaped close, not the end. */
  readonly doubled?: boolean;
  /** Its lines count as comment, not code: cloc's rule for Python triple-quoted strings (docstrings). */
  readonly asComment?: boolean;
  /** Opens embedded code that ends at the matching `}` (JS `${`, Kotlin `${`, Ruby `#{`). */
  readonly interpolation?: string;
  /**
   * A character literal (`'x'`, `'\n'`): opens only when it is one, so Rust lifetimes (`'a`),
   * Haskell primes (`foldl'`) and C++ digit separators (`1'000`) stay code.
   */
  readonly char?: boolean;
  /**
   * A line inside the string whose first non-blank text is this marker counts as comment: shell
   * quotes usually hold another program (an eval'd test body, an awk or perl script) whose `#`
   * lines a reader sees as comments, and cloc counts them so.
   */
  readonly commentLinesStartingWith?: string;
  /** Does not open right after this character (Ruby's `$"` and `$'` are global variables). */
  readonly notAfter?: string;
  /** Only opens after a character that cannot end a value (YAML: quotes are plain text mid-scalar). */
  readonly atValueStart?: boolean;
}

/**
 * Constructs whose end marker depends on what opened them, each handled by a small routine in the
 * scanner: here-documents, raw strings with custom delimiters, Lua long brackets and regular
 * expression literals (which may hold comment markers or quotes).
 */
export type SpecialRule =
  | 'shell-heredoc'
  | 'ruby-heredoc'
  | 'php-heredoc'
  | 'rust-raw-string'
  | 'cpp-raw-string'
  | 'swift-raw-string'
  | 'lua-long-bracket'
  | 'js-regex'
  | 'ruby-regex';

/** A region in another language inside this one (`<script>` in HTML and Vue). */
export interface EmbeddedRule {
  /** Lower-case tag name: `script`, `style`. */
  readonly tag: string;
  /** Language of the region from the opening tag's text (its `lang`/`type` attribute). */
  readonly language: (openTag: string) => string;
}

export interface LanguageSyntax {
  /** The Linguist name this entry was written for. */
  readonly name: string;
  readonly lineComments: readonly LineCommentRule[];
  readonly blockComments: readonly BlockCommentRule[];
  readonly strings: readonly StringRule[];
  readonly specials: readonly SpecialRule[];
  readonly embedded: readonly EmbeddedRule[];
}
