/**
 * The one-pass lexical scanner behind line counting and complexity. It walks a file once, a
 * character at a time, in one of five modes (code, line comment, block comment, string,
 * here-document), driven only by the language's row in `syntax-table.ts`, and records for each
 * line whether it held code and whether it held comment text. It optionally collects the stretches
 * of code (outside comments, strings, regex and character literals) so keyword counting never
 * sees a keyword inside a comment or a string. Why not a regex per line: comments and strings
 * cross lines, and a marker inside a string is not a marker — only a lexer gets both right.
 */
import { plainSyntax, syntaxFor } from './syntax-table.js';
import type {
  BlockCommentRule,
  EmbeddedRule,
  LanguageSyntax,
  LineCommentRule,
  SpecialRule,
  StringRule,
} from './syntax-types.js';

/** Per-line verdicts; one tally is shared by nested scans (a `<script>` counts into the HTML file's lines). */
export class LineTally {
  code = 0;
  comment = 0;
  blank = 0;
  hasCode = false;
  hasComment = false;

  /** cloc's rule: a line with any code is code; else with any comment text, comment; else blank. */
  endLine(): void {
    if (this.hasCode) this.code++;
    else if (this.hasComment) this.comment++;
    else this.blank++;
    this.hasCode = false;
    this.hasComment = false;
  }
}

/** A stretch of code outside comments and literals, in one language (embedded regions differ). */
export interface CodeSegment {
  readonly start: number;
  readonly end: number;
  readonly language: string;
}

type Candidate =
  | { readonly kind: 'line'; readonly rule: LineCommentRule }
  | { readonly kind: 'block'; readonly rule: BlockCommentRule }
  | { readonly kind: 'string'; readonly rule: StringRule }
  | { readonly kind: 'special'; readonly rule: SpecialRule }
  | { readonly kind: 'embedded'; readonly rule: EmbeddedRule }
  | { readonly kind: 'brace' };

interface Compiled {
  readonly syntax: LanguageSyntax;
  /** Candidates by the code of their first (ASCII) character, most specific first. */
  readonly byChar: readonly (readonly Candidate[] | undefined)[];
}

interface Heredoc {
  readonly term: string;
  /** The terminator may be indented (`<<-`, `<<~`). */
  readonly indent: boolean;
  /** PHP: the terminator only has to start the (indented) line. */
  readonly php: boolean;
}

const CODE = 0;
const LINE = 1;
const BLOCK = 2;
const STRING = 3;
const HEREDOC = 4;

const LF = 10;
const CR = 13;
const BACKSLASH = 92;
const QUOTE = 39;

const isSpace = (c: number): boolean => c === 32 || c === 9 || c === CR || c === 11 || c === 12 || c === 0xfeff;
const isIdent = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 36;

/** Characters after which `/` starts a regular expression rather than dividing. */
const REGEX_AFTER = new Set([...'(,=:[!&|?{};+-*%~^'].map((c) => c.charCodeAt(0)));
const JS_REGEX_KEYWORDS = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void']);
for (const keyword of ['throw', 'case', 'do', 'else', 'yield', 'await']) JS_REGEX_KEYWORDS.add(keyword);
const RUBY_REGEX_KEYWORDS = new Set(['if', 'unless', 'elsif', 'when', 'while', 'until', 'and', 'or', 'not']);
for (const keyword of ['return', 'then']) RUBY_REGEX_KEYWORDS.add(keyword);
/** Characters after which a YAML quote opens a quoted scalar. */
const YAML_VALUE_START = new Set([...':-[{,?'].map((c) => c.charCodeAt(0)));
/** Characters after which a shell `#` starts a comment (besides whitespace). */
const SHELL_WORD_BREAK = new Set([...';|&()'].map((c) => c.charCodeAt(0)));

const SPECIAL_TRIGGERS: Record<SpecialRule, string> = {
  'shell-heredoc': '<',
  'ruby-heredoc': '<',
  'php-heredoc': '<',
  'rust-raw-string': 'rb',
  'cpp-raw-string': 'R',
  'swift-raw-string': '#',
  'lua-long-bracket': '-[',
  'js-regex': '/',
  'ruby-regex': '/',
};

const openText = (candidate: Candidate): string =>
  candidate.kind === 'line'
    ? candidate.rule.marker
    : candidate.kind === 'block' || candidate.kind === 'string'
      ? candidate.rule.open
      : '';

function compile(syntax: LanguageSyntax): Compiled {
  const lists: Candidate[][] = Array.from({ length: 128 }, () => []);
  const add = (char: string, candidate: Candidate): void => void lists[char.charCodeAt(0)]?.push(candidate);
  // Order: constructs with computed ends (heredocs, raw strings, long brackets) and embedded
  // regions first, then fixed markers longest first, regex literals last (`//` and `/*` win).
  for (const rule of syntax.specials) {
    if (rule === 'js-regex' || rule === 'ruby-regex') continue;
    for (const char of SPECIAL_TRIGGERS[rule]) add(char, { kind: 'special', rule });
  }
  for (const rule of syntax.embedded) add('<', { kind: 'embedded', rule });
  const fixed: Candidate[] = [
    ...syntax.lineComments.map((rule): Candidate => ({ kind: 'line', rule })),
    ...syntax.blockComments.map((rule): Candidate => ({ kind: 'block', rule })),
    ...syntax.strings.map((rule): Candidate => ({ kind: 'string', rule })),
  ];
  fixed.sort((a, b) => openText(b).length - openText(a).length);
  for (const candidate of fixed) add(openText(candidate), candidate);
  for (const rule of syntax.specials) {
    if (rule === 'js-regex' || rule === 'ruby-regex') add('/', { kind: 'special', rule });
  }
  if (syntax.strings.some((rule) => rule.interpolation !== undefined)) {
    add('{', { kind: 'brace' });
    add('}', { kind: 'brace' });
  }
  return { syntax, byChar: lists.map((list) => (list.length > 0 ? list : undefined)) };
}

const compiledByName = new Map<string, Compiled>();

/** The compiled syntax for a Linguist language; names not in the table count as plain text. */
export function compiledSyntax(language: string): Compiled {
  const key = language.toLowerCase();
  let compiled = compiledByName.get(key);
  if (compiled === undefined) {
    compiled = compile(syntaxFor(language) ?? plainSyntax);
    compiledByName.set(key, compiled);
  }
  return compiled;
}

const closeTagPatterns = new Map<string, RegExp>();
const closeTagPattern = (tag: string): RegExp => {
  let pattern = closeTagPatterns.get(tag);
  if (pattern === undefined) {
    pattern = new RegExp(`</${tag}\\s*>`, 'gi');
    closeTagPatterns.set(tag, pattern);
  }
  return pattern;
};

/** The longest regex literal or HTML open tag looked for; a longer one reads as plain code. */
const MAX_LOOKAHEAD = 4096;
const BARE_HEREDOC_WORD = /[A-Za-z_][\w.-]*/y;
const BARE_IDENTIFIER = /[A-Za-z_]\w*/y;
const NOT_SPACE = /\S/;
const WORD_CHAR = /\w/;

/**
 * Scans `text[start, end)` in `compiled`'s language, ending lines into `tally` (the caller ends
 * the last line when the text has no final newline). With `segments`, appends the code stretches.
 */
export function scanRange(
  text: string,
  start: number,
  end: number,
  compiled: Compiled,
  tally: LineTally,
  segments: CodeSegment[] | null,
): void {
  const { byChar, syntax } = compiled;
  const language = syntax.name;
  let mode = CODE;
  let i = start;
  let lineBlank = true; // nothing but whitespace so far on this line
  let lastSig = -1; // index of the last non-blank code character
  let block: BlockCommentRule = { open: '', close: '' };
  let depth = 0;
  let str: StringRule = { open: '', close: '', escape: false, multiline: false };
  let continued = false; // a backslash-newline inside a single-line string
  let commentLine = false; // this line of a string is a comment (commentLinesStartingWith)
  const interpolations: { str: StringRule; depth: number }[] = [];
  const heredocs: Heredoc[] = [];
  let codeStart = start;

  /**
   * indexOf limited to `limit` characters and to the range: look-aheads that fail must stay cheap,
   * or hostile text (`(/(/(/...` on one long line) would make the scan quadratic.
   */
  const boundedIndexOf = (needle: string, from: number, limit = 256): number => {
    const found = text.slice(from, Math.min(end, from + limit + needle.length)).indexOf(needle);
    return found < 0 ? -1 : from + found;
  };
  const leaveCode = (at: number): void => {
    if (segments !== null && at > codeStart) segments.push({ start: codeStart, end: at, language });
  };
  const markCode = (at: number): void => {
    tally.hasCode = true;
    lineBlank = false;
    lastSig = at;
  };
  const markComment = (): void => {
    tally.hasComment = true;
    lineBlank = false;
  };
  const atColumnZero = (at: number): boolean => at === 0 || text.charCodeAt(at - 1) === LF;
  /** A literal handled in one step (regex, character): code, but not part of a code segment. */
  const inlineLiteral = (from: number, to: number): number => {
    leaveCode(from);
    markCode(to - 1);
    codeStart = to;
    return to;
  };
  const enterString = (at: number, rule: StringRule, openLength: number): number => {
    leaveCode(at);
    mode = STRING;
    str = rule;
    if (rule.asComment === true) markComment();
    else markCode(at);
    return at + openLength;
  };
  const enterBlock = (at: number, rule: BlockCommentRule, openLength: number): number => {
    leaveCode(at);
    mode = BLOCK;
    block = rule;
    depth = 1;
    markComment();
    return at + openLength;
  };
  /** Marks a stretch (an HTML tag, which may span lines) as code. */
  const codeRange = (from: number, to: number): void => {
    for (let k = from; k < to; k++) {
      const c = text.charCodeAt(k);
      if (c === LF) {
        tally.endLine();
        lineBlank = true;
      } else if (!isSpace(c)) markCode(k);
    }
  };

  const heredocWord = (at: number, bare: RegExp): { term: string; end: number } | undefined => {
    const q = text.charCodeAt(at);
    if (q === QUOTE || q === 34) {
      const close = boundedIndexOf(text.charAt(at), at + 1);
      if (close < 0) return undefined;
      const term = text.slice(at + 1, close);
      return term.length === 0 || term.includes('\n') ? undefined : { term, end: close + 1 };
    }
    const from = q === BACKSLASH ? at + 1 : at;
    bare.lastIndex = from;
    const match = bare.exec(text);
    return match === null ? undefined : { term: match[0], end: from + match[0].length };
  };

  const startHeredoc = (at: number, word: { term: string; end: number }, indent: boolean, php: boolean): number => {
    heredocs.push({ term: word.term, indent, php });
    for (let k = at; k < word.end; k++) if (!isSpace(text.charCodeAt(k))) markCode(k);
    return word.end;
  };

  const shellHeredoc = (at: number): number => {
    if (!text.startsWith('<<', at)) return -1;
    if (text.charCodeAt(at + 2) === 60) {
      // A here-string `<<<`: consumed whole, so its last two `<` are not read as a heredoc.
      markCode(at + 2);
      return at + 3;
    }
    let j = at + 2;
    const indent = text.charCodeAt(j) === 45; // <<-
    if (indent) j++;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    const word = heredocWord(j, BARE_HEREDOC_WORD);
    return word === undefined ? -1 : startHeredoc(at, word, indent, false);
  };

  const rubyHeredoc = (at: number): number => {
    if (!text.startsWith('<<', at)) return -1;
    let j = at + 2;
    const flag = text.charCodeAt(j);
    const indent = flag === 126 || flag === 45; // <<~ or <<-
    if (indent) j++;
    else {
      // `x <<FOO` is a heredoc, `x << foo` and `a<<b` are appends.
      const next = text.charCodeAt(j);
      const quoted = next === QUOTE || next === 34;
      if (!quoted && !(next >= 65 && next <= 90)) return -1;
      if (at > start && isIdent(text.charCodeAt(at - 1))) return -1;
    }
    const word = heredocWord(j, BARE_IDENTIFIER);
    return word === undefined ? -1 : startHeredoc(at, word, indent, false);
  };

  const phpHeredoc = (at: number): number => {
    if (!text.startsWith('<<<', at)) return -1;
    let j = at + 3;
    while (text.charCodeAt(j) === 32 || text.charCodeAt(j) === 9) j++;
    const word = heredocWord(j, BARE_IDENTIFIER);
    return word === undefined ? -1 : startHeredoc(at, word, true, true);
  };

  const rawString = (at: number, openLength: number, close: string, multiline: boolean): number =>
    enterString(at, { open: '', close, escape: false, multiline }, openLength);

  const rustRawString = (at: number): number => {
    if (at > start && isIdent(text.charCodeAt(at - 1))) return -1;
    let j = at + 1;
    if (text.charCodeAt(at) === 98) {
      if (text.charCodeAt(j) !== 114) return -1; // br"..."
      j++;
    }
    let hashes = 0;
    while (text.charCodeAt(j + hashes) === 35) hashes++;
    if (text.charCodeAt(j + hashes) !== 34) return -1;
    return rawString(at, j + hashes + 1 - at, '"' + '#'.repeat(hashes), true);
  };

  const cppRawString = (at: number): number => {
    if (text.charCodeAt(at + 1) !== 34) return -1;
    const before = at > start ? text.charCodeAt(at - 1) : 0;
    if (isIdent(before)) {
      // Only the encoding prefixes u8R, uR, UR, LR.
      const prefix = text.slice(Math.max(start, at - 2), at);
      const ok =
        (prefix === 'u8' && !isIdent(text.charCodeAt(at - 3))) ||
        ('uUL'.includes(prefix.slice(-1)) && !isIdent(text.charCodeAt(at - 2)));
      if (!ok) return -1;
    }
    const paren = boundedIndexOf('(', at + 2, 17);
    if (paren < 0) return -1;
    const delimiter = text.slice(at + 2, paren);
    if (/[\s\\)]/.test(delimiter)) return -1;
    return rawString(at, paren + 1 - at, ')' + delimiter + '"', true);
  };

  const swiftRawString = (at: number): number => {
    let hashes = 0;
    while (text.charCodeAt(at + hashes) === 35) hashes++;
    if (text.charCodeAt(at + hashes) !== 34) return -1;
    const triple = text.startsWith('"""', at + hashes);
    const close = (triple ? '"""' : '"') + '#'.repeat(hashes);
    return rawString(at, hashes + (triple ? 3 : 1), close, triple);
  };

  const luaLongBracket = (at: number): number => {
    const comment = text.charCodeAt(at) === 45;
    const bracket = comment ? at + 2 : at;
    if (comment && !text.startsWith('--[', at)) return -1;
    let equals = 0;
    while (text.charCodeAt(bracket + 1 + equals) === 61) equals++;
    if (text.charCodeAt(bracket + 1 + equals) !== 91) return -1;
    const close = ']' + '='.repeat(equals) + ']';
    const openLength = bracket + 2 + equals - at;
    return comment ? enterBlock(at, { open: '', close }, openLength) : rawString(at, openLength, close, true);
  };

  const regexLiteral = (at: number, keywords: ReadonlySet<string>): number => {
    if (lastSig >= start) {
      const prev = text.charCodeAt(lastSig);
      if (!REGEX_AFTER.has(prev)) {
        if (!isIdent(prev)) return -1;
        let s = lastSig;
        while (s > start && isIdent(text.charCodeAt(s - 1))) s--;
        if (!keywords.has(text.slice(s, lastSig + 1))) return -1;
      }
    }
    let inClass = false;
    for (let j = at + 1; j < Math.min(end, at + MAX_LOOKAHEAD); j++) {
      const c = text.charCodeAt(j);
      if (c === LF || c === CR) return -1;
      if (c === BACKSLASH) {
        const escaped = text.charCodeAt(++j);
        if (escaped === LF || escaped === CR) return -1;
      } else if (c === 91) inClass = true;
      else if (c === 93) inClass = false;
      else if (c === 47 && !inClass) return inlineLiteral(at, j + 1);
    }
    return -1;
  };

  const charLiteral = (at: number): number => {
    if (at > start && (isIdent(text.charCodeAt(at - 1)) || text.charCodeAt(at - 1) === QUOTE)) return -1;
    const next = text.charCodeAt(at + 1);
    if (next === LF || next === CR || next === QUOTE || Number.isNaN(next)) return -1;
    if (next === BACKSLASH) {
      if (text.charCodeAt(at + 2) === LF) return -1;
      for (let k = at + 3; k < Math.min(end, at + 13); k++) {
        const c = text.charCodeAt(k);
        if (c === LF) return -1;
        if (c === QUOTE) return inlineLiteral(at, k + 1);
      }
      return -1;
    }
    if (text.charCodeAt(at + 2) === QUOTE) return inlineLiteral(at, at + 3);
    if (next >= 0xd800 && next <= 0xdbff && text.charCodeAt(at + 3) === QUOTE) return inlineLiteral(at, at + 4);
    return -1;
  };

  const embeddedRegion = (at: number, rule: EmbeddedRule): number => {
    if (text.slice(at + 1, at + 1 + rule.tag.length).toLowerCase() !== rule.tag) return -1;
    if (isIdent(text.charCodeAt(at + 1 + rule.tag.length)) || text.charCodeAt(at + 1 + rule.tag.length) === 45) {
      return -1;
    }
    const gt = boundedIndexOf('>', at, MAX_LOOKAHEAD);
    if (gt < 0) return -1;
    codeRange(at, gt + 1);
    if (text.charCodeAt(gt - 1) === 47) return gt + 1; // <script src="..." />
    const close = closeTagPattern(rule.tag);
    close.lastIndex = gt + 1;
    const match = close.exec(text);
    const bodyEnd = match === null || match.index > end ? end : match.index;
    leaveCode(gt + 1);
    scanRange(text, gt + 1, bodyEnd, compiledSyntax(rule.language(text.slice(at, gt + 1))), tally, segments);
    codeStart = bodyEnd;
    lineBlank = false;
    return bodyEnd;
  };

  const special = (at: number, rule: SpecialRule): number => {
    switch (rule) {
      case 'shell-heredoc':
        return shellHeredoc(at);
      case 'ruby-heredoc':
        return rubyHeredoc(at);
      case 'php-heredoc':
        return phpHeredoc(at);
      case 'rust-raw-string':
        return rustRawString(at);
      case 'cpp-raw-string':
        return cppRawString(at);
      case 'swift-raw-string':
        return swiftRawString(at);
      case 'lua-long-bracket':
        return luaLongBracket(at);
      case 'js-regex':
        return regexLiteral(at, JS_REGEX_KEYWORDS);
      case 'ruby-regex':
        return regexLiteral(at, RUBY_REGEX_KEYWORDS);
    }
  };

  const lineCommentAt = (at: number, rule: LineCommentRule): boolean => {
    if (!text.startsWith(rule.marker, at)) return false;
    if (rule.atLineStart === true && !lineBlank) return false;
    if (rule.atWordStart === true && at > start) {
      const prev = text.charCodeAt(at - 1);
      if (!isSpace(prev) && prev !== LF && !SHELL_WORD_BREAK.has(prev)) return false;
    }
    if (rule.notFollowedBy !== undefined && text.startsWith(rule.notFollowedBy, at + rule.marker.length)) return false;
    if (rule.pattern === undefined) return true;
    rule.pattern.lastIndex = at;
    return rule.pattern.test(text);
  };

  /** Tries each construct that can start at `at`; returns where scanning resumes, or -1 for plain code. */
  const tryAt = (at: number, candidates: readonly Candidate[]): number => {
    for (const candidate of candidates) {
      let next = -1;
      switch (candidate.kind) {
        case 'line':
          if (lineCommentAt(at, candidate.rule)) {
            leaveCode(at);
            markComment();
            mode = LINE;
            next = at + candidate.rule.marker.length;
          }
          break;
        case 'block': {
          const rule = candidate.rule;
          if (text.startsWith(rule.open, at) && (rule.atLineStart !== true || atColumnZero(at))) {
            next = enterBlock(at, rule, rule.open.length);
          }
          break;
        }
        case 'string': {
          const rule = candidate.rule;
          if (!text.startsWith(rule.open, at)) break;
          if (rule.notAfter !== undefined && at > start && text.startsWith(rule.notAfter, at - rule.notAfter.length)) {
            break;
          }
          if (rule.char === true) next = charLiteral(at);
          else if (rule.atValueStart === true && !lineBlank && !YAML_VALUE_START.has(text.charCodeAt(lastSig))) break;
          else next = enterString(at, rule, rule.open.length);
          break;
        }
        case 'special':
          next = special(at, candidate.rule);
          break;
        case 'embedded':
          next = embeddedRegion(at, candidate.rule);
          break;
        case 'brace': {
          const top = interpolations.at(-1);
          if (top === undefined) break;
          if (text.charCodeAt(at) === 123) top.depth++;
          else if (top.depth > 0) top.depth--;
          else {
            // The `}` closing `${...}`: back into the string it interrupted.
            interpolations.pop();
            markCode(at);
            leaveCode(at);
            mode = STRING;
            str = top.str;
            next = at + 1;
          }
          break;
        }
      }
      if (next >= 0) return next;
    }
    return -1;
  };

  if (start === 0 && text.startsWith('#!')) {
    // A shebang line is code, as cloc counts it, even where `#` starts a comment.
    const newline = text.indexOf('\n');
    i = newline < 0 || newline > end ? end : newline;
    markCode(i - 1);
  }

  while (i < end) {
    const c = text.charCodeAt(i);
    if (c === LF) {
      tally.endLine();
      lineBlank = true;
      i++;
      if (mode === LINE || (mode === STRING && !str.multiline && !continued)) {
        mode = CODE;
        codeStart = i;
      }
      continued = false;
      commentLine = false;
      if (mode === CODE && heredocs.length > 0) {
        leaveCode(i);
        mode = HEREDOC;
      }
      continue;
    }
    switch (mode) {
      case CODE: {
        if (isSpace(c)) {
          i++;
          break;
        }
        const candidates = c < 128 ? byChar[c] : undefined;
        if (candidates !== undefined) {
          const next = tryAt(i, candidates);
          if (next >= 0) {
            i = next;
            break;
          }
        }
        tally.hasCode = true;
        lineBlank = false;
        lastSig = i;
        i++;
        break;
      }
      case LINE: {
        const newline = text.indexOf('\n', i);
        i = newline < 0 || newline > end ? end : newline;
        break;
      }
      case BLOCK: {
        if (text.startsWith(block.close, i) && (block.atLineStart !== true || atColumnZero(i))) {
          markComment();
          i += block.close.length;
          if (--depth === 0) {
            // Ruby's `=end` line is comment to its end; elsewhere code resumes after the marker.
            mode = block.atLineStart === true ? LINE : CODE;
            codeStart = i;
          }
        } else if (block.nested === true && text.startsWith(block.open, i)) {
          markComment();
          depth++;
          i += block.open.length;
        } else {
          if (!isSpace(c)) markComment();
          i++;
        }
        break;
      }
      case STRING: {
        if (lineBlank && str.commentLinesStartingWith !== undefined && !isSpace(c)) {
          commentLine = text.startsWith(str.commentLinesStartingWith, i);
        }
        const asComment = str.asComment === true || commentLine;
        if (!isSpace(c)) {
          if (asComment) markComment();
          else markCode(i);
        }
        if (c === BACKSLASH && str.escape) {
          const next = text.charCodeAt(i + 1);
          if (next === LF) {
            continued = true;
            i++;
          } else if (next === CR && text.charCodeAt(i + 2) === LF) {
            continued = true;
            i += 2;
          } else i += 2;
        } else if (str.interpolation !== undefined && text.startsWith(str.interpolation, i)) {
          interpolations.push({ str, depth: 0 });
          mode = CODE;
          i += str.interpolation.length;
          lastSig = i - 1; // the `{`: a `/` right after starts a regex
          codeStart = i;
        } else if (text.startsWith(str.close, i)) {
          const length = str.close.length;
          if (str.doubled === true && text.startsWith(str.close, i + length)) i += 2 * length;
          else {
            i += length;
            if (!asComment) lastSig = i - 1;
            mode = CODE;
            codeStart = i;
          }
        } else i++;
        break;
      }
      default: {
        // HEREDOC, always entered at a line start: the whole line is content or the terminator.
        const newline = text.indexOf('\n', i);
        const lineEnd = newline < 0 || newline > end ? end : newline;
        const line = text.slice(i, lineEnd);
        const heredoc = heredocs[0] as Heredoc;
        let isEnd: boolean;
        if (heredoc.php) {
          const trimmed = line.trimStart();
          isEnd = trimmed.startsWith(heredoc.term) && !WORD_CHAR.test(trimmed.charAt(heredoc.term.length));
        } else isEnd = (heredoc.indent ? line.trim() : line.trimEnd()) === heredoc.term;
        if (NOT_SPACE.test(line)) {
          tally.hasCode = true;
          lineBlank = false;
        }
        i = lineEnd;
        if (isEnd) {
          heredocs.shift();
          if (heredocs.length === 0) {
            mode = CODE;
            codeStart = lineEnd;
          }
        }
      }
    }
  }
  if (mode === CODE) leaveCode(end);
}
