/**
 * countLines per language on the snippets that break naive counters: comment markers inside
 * strings, regex and template literals, block comments mid-line, nested comments, docstrings,
 * heredocs, escaped quotes, CRLF endings and a missing final newline. Expected counts are cloc's
 * definitions (a line with code is code; whitespace-only lines are blank, even inside comments),
 * with the differences README.md lists where cloc misreads a string.
 */
import { describe, expect, it } from 'vitest';
import { countLines, countingLanguages } from '../../../../src/services/analysis/counting/index.js';

const file = (...lines: string[]): string => lines.join('\n') + '\n';
const counts = (code: number, comment: number, blank: number) => ({ code, comment, blank });

describe('countLines: line endings and edges', () => {
  it('counts an empty file as nothing and a last line without newline as a line', () => {
    expect(countLines('', 'JavaScript')).toEqual(counts(0, 0, 0));
    expect(countLines('a = 1;\n// c', 'JavaScript')).toEqual(counts(1, 1, 0));
    expect(countLines('a = 1;\n   ', 'JavaScript')).toEqual(counts(1, 0, 1));
  });

  it('treats CRLF like LF: the CR is whitespace, not code', () => {
    expect(countLines('a = 1;\r\n// c\r\n\r\n/* x\r\n*/\r\n', 'JavaScript')).toEqual(counts(1, 3, 1));
    expect(countLines('x = 1\r\n# c\r\n"""doc\r\n"""\r\n', 'Python')).toEqual(counts(1, 3, 0));
  });

  it('counts a whitespace-only line inside a block comment or a string as blank, as cloc does', () => {
    expect(countLines(file('/* a', '', '   ', 'b */'), 'C')).toEqual(counts(0, 2, 2));
    expect(countLines(file('const t = `', '', '`;'), 'JavaScript')).toEqual(counts(2, 0, 1));
  });

  it('counts every non-blank line of an unknown language as code', () => {
    expect(countLines(file('# a', '', '// b'), 'NoSuchLanguage')).toEqual(counts(2, 0, 1));
  });

  it('knows every language the brief names', () => {
    const known = new Set(countingLanguages());
    const required = ['JavaScript', 'TypeScript', 'TSX', 'JSON', 'Python', 'Go', 'Java', 'Kotlin', 'Rust', 'C', 'C++'];
    required.push('C#', 'Ruby', 'PHP', 'Shell', 'CSS', 'SCSS', 'HTML', 'XML', 'YAML', 'Markdown', 'SQL', 'Lua');
    required.push('Swift', 'Scala', 'Dockerfile', 'Makefile', 'TOML', 'Vue');
    expect(required.filter((language) => !known.has(language))).toEqual([]);
  });
});

describe('countLines: C family', () => {
  it('JavaScript: comment markers inside strings are code', () => {
    const src = file(
      'const url = "http://example.com";',
      "const glob = '/* not a comment */';",
      'const s = "// nope";',
      '// real',
    );
    expect(countLines(src, 'JavaScript')).toEqual(counts(3, 1, 0));
  });

  it('JavaScript: block comments mid-line, several per line, and over lines', () => {
    const src = file(
      'let a = 1; /* starts',
      ' ',
      '   still comment */ let b = 2;',
      '/* one */ /* two */',
      '/**',
      ' * doc',
      ' */',
    );
    expect(countLines(src, 'JavaScript')).toEqual(counts(2, 4, 1));
  });

  it('JavaScript: template literals hold comment markers; their ${} holds real comments and nested templates', () => {
    const src = file(
      'const t = `',
      '// inside template',
      '/* still template */',
      '${value /* real comment inside expression */}',
      '${`nested ${deep} // text`}',
      '`;',
      '// after',
    );
    expect(countLines(src, 'JavaScript')).toEqual(counts(6, 1, 0));
  });

  it('JavaScript: regex literals hold comment markers and quotes; division is not a regex', () => {
    const src = file(
      "const re = /\\/\\*[^*]*'\\*\\//g; // trailing",
      'const re2 = /[/*]/;',
      'x = a / b / c;',
      '/* real */',
    );
    expect(countLines(src, 'JavaScript')).toEqual(counts(3, 1, 0));
  });

  it('JavaScript: escaped quotes do not end a string', () => {
    const src = file('const q = "say \\"// hi\\"";', "const r = 'it\\'s /* fine';", '// c');
    expect(countLines(src, 'JavaScript')).toEqual(counts(2, 1, 0));
  });

  it('JavaScript: a shebang is code', () => {
    expect(countLines(file('#!/usr/bin/env node', 'console.log(1)'), 'JavaScript')).toEqual(counts(2, 0, 0));
  });

  it('TSX: JSX text with apostrophes and URLs does not open strings or comments across lines', () => {
    const src = file(
      'export const App = () => (',
      '  <div>',
      '    {/* a JSX comment */}',
      '    <a href="https://x.y">Don\'t // stop</a>',
      '  </div>',
      ');',
      '// done',
    );
    expect(countLines(src, 'TSX')).toEqual(counts(6, 1, 0));
  });

  it('C: strings and character literals hide markers; a trailing comment leaves the line code', () => {
    const src = file(
      '#include <stdio.h>',
      'char *s = "/* not */"; char c = \'"\';',
      'int x = 1; // c',
      '/* multi',
      '   line */',
    );
    expect(countLines(src, 'C')).toEqual(counts(3, 2, 0));
  });

  it('C++: raw strings span lines; digit separators are not character literals', () => {
    const src = file('auto s = R"(// not', '/* not */', ')";', "int n = 1'000'000; // digit separators", '// c');
    expect(countLines(src, 'C++')).toEqual(counts(4, 1, 0));
  });

  it('C#: verbatim strings span lines and escape quotes by doubling', () => {
    const src = file('var p = @"C:\\path\\"" // still string', '/* not a comment */";', '// real');
    expect(countLines(src, 'C#')).toEqual(counts(2, 1, 0));
  });

  it('Java: text blocks hold comment markers; an escaped quote char is one literal', () => {
    const src = file('String s = """', '    /* not a comment */', '    """;', "char c = '\\''; // comment", '// c');
    expect(countLines(src, 'Java')).toEqual(counts(4, 1, 0));
  });

  it('Go: raw strings span lines; runes are literals', () => {
    const src = file('package main', '', 'var s = `', '// not a comment', '`', "var r = '/' // rune", '/* block */');
    expect(countLines(src, 'Go')).toEqual(counts(5, 1, 1));
  });

  it('Rust: nested block comments, raw strings, lifetimes are not character literals', () => {
    const src = file(
      '/* outer /* inner */ still comment */',
      "fn f<'a>(x: &'a str) -> &'a str { x } // lifetimes",
      'let r = r#"a "quoted" // raw"#;',
      "let c = '\"';",
      '/// doc comment',
      '/*',
      '  /* nested',
      '  */',
      '  still comment',
      '*/',
      'fn main() {}',
    );
    expect(countLines(src, 'Rust')).toEqual(counts(4, 7, 0));
  });

  it('Swift: nested comments, raw strings and multi-line strings', () => {
    const src = file('/* a /* b */ c */', 'let s = #"raw "// not" here"#', 'let m = """', '  // inside', '  """');
    expect(countLines(src, 'Swift')).toEqual(counts(4, 1, 0));
  });

  it('Kotlin: nested comments; raw strings with ${} expressions', () => {
    const src = file('/* outer /* inner */ */', 'val s = """', '  // text ${ name /* c */ }', '"""', '// c');
    expect(countLines(src, 'Kotlin')).toEqual(counts(3, 2, 0));
  });

  it('Scala: nested comments', () => {
    const src = file('/* a', ' /* b */', ' still */', 'object A // c');
    expect(countLines(src, 'Scala')).toEqual(counts(1, 3, 0));
  });

  it('CSS has no line comments; SCSS has them', () => {
    const css = file(
      'a { background: url("//cdn.example/x.png"); } /* c */',
      '/* block',
      '   comment */',
      '// not a comment in CSS',
    );
    expect(countLines(css, 'CSS')).toEqual(counts(2, 2, 0));
    expect(countLines(file('// scss comment', '$a: "/* no */";'), 'SCSS')).toEqual(counts(1, 1, 0));
  });

  it('JSON is all code; JSON with Comments has comments', () => {
    expect(countLines(file('{', '  "a": "// x",', '', '  "b": 1', '}'), 'JSON')).toEqual(counts(4, 0, 1));
    expect(countLines(file('{', '  // c', '  "a": 1 /* d */', '}'), 'JSON with Comments')).toEqual(counts(3, 1, 0));
  });
});

describe('countLines: hash-comment languages', () => {
  it('Python: docstrings and triple-quoted strings count as comments (cloc), # in strings is code', () => {
    const src = file(
      '#!/usr/bin/env python3',
      '"""Module docstring.',
      '',
      'More text.',
      '"""',
      'import os  # trailing comment',
      '',
      'def f(x):',
      "    '''Function docstring.'''",
      '    s = "# not a comment"',
      "    t = 'also # not \\' # still not'",
      '    u = """first',
      '    second"""',
      '    return x  # ok',
      '# full-line',
    );
    expect(countLines(src, 'Python')).toEqual(counts(7, 6, 2));
  });

  it('Ruby: =begin/=end, heredocs hold # lines, $" is a variable, #{} is interpolation', () => {
    const src = file(
      '=begin',
      'doc',
      '=end',
      'text = <<~EOS',
      '  # not a comment',
      'EOS',
      'x = $" # comment after a global',
      'y = "#{a} # not" # real',
      'z = s =~ /#/ # a regex',
      '# full',
    );
    expect(countLines(src, 'Ruby')).toEqual(counts(6, 4, 0));
  });

  it('PHP: # and // comments, #[attributes] are code, heredocs hold # lines', () => {
    const src = file('<?php', "#[Route('/x')]", '# comment', '// comment', '$s = <<<EOT', '# not a comment', 'EOT;');
    expect(countLines(src, 'PHP')).toEqual(counts(5, 2, 0));
  });

  it('Shell: $# and ${#x} are not comments; heredocs hold # lines; # lines of quoted programs are comments', () => {
    const src = file(
      '#!/bin/sh',
      'echo $# ${#name} a#b # real comment',
      'cat <<-EOF',
      '\t# not a comment',
      '\tEOF',
      '# comment',
      "test_expect_success 'title' '",
      '  # a comment of the quoted test body',
      '  echo "# not at the line start" # real',
      "'",
      'cat <<< "$x" # a here-string is not a heredoc',
      '# last',
    );
    expect(countLines(src, 'Shell')).toEqual(counts(9, 3, 0));
  });

  it('YAML: # starts a comment only at a word start and outside quoted scalars', () => {
    const src = file(
      '# comment',
      'key: value # trailing',
      'url: "http://x#y"',
      "apos: it's # comment",
      'list:',
      "  - 'a # b'",
      '  # indented',
    );
    expect(countLines(src, 'YAML')).toEqual(counts(5, 2, 0));
  });

  it('TOML: multi-line strings hold # lines', () => {
    expect(countLines(file('# c', 'a = "# not"', 'b = """', '# not', '"""'), 'TOML')).toEqual(counts(4, 1, 0));
  });

  it('Dockerfile: only a line starting with # is a comment', () => {
    const src = file(
      '# syntax=docker/dockerfile:1',
      'FROM node:20',
      'RUN echo "a" # passed to the shell',
      '  # indented comment',
    );
    expect(countLines(src, 'Dockerfile')).toEqual(counts(2, 2, 0));
  });

  it('Makefile: # comments anywhere', () => {
    expect(countLines(file('# c', 'all: ; @echo hi # c', '', '\t# recipe comment'), 'Makefile')).toEqual(
      counts(1, 2, 1),
    );
  });
});

describe('countLines: markup, SQL, Lua', () => {
  it('HTML: <!-- --> over lines; <script> bodies count with JavaScript rules', () => {
    const src = file(
      '<!-- a',
      '  comment -->',
      '<p>Hello</p>',
      '<script>',
      '// js comment',
      'var a = "<!-- not -->";',
      '</script>',
    );
    expect(countLines(src, 'HTML')).toEqual(counts(4, 3, 0));
  });

  it('Vue: template, script and style each with their own comments', () => {
    const src = file(
      '<template>',
      '  <!-- comment -->',
      '  <div>{{ msg }}</div>',
      '</template>',
      '<script setup lang="ts">',
      '// ts comment',
      "const msg: string = 'hi'",
      '</script>',
      '<style lang="scss" scoped>',
      '// scss comment',
      '/* css comment */',
      '</style>',
    );
    expect(countLines(src, 'Vue')).toEqual(counts(8, 4, 0));
  });

  it('XML: comments over lines, CDATA is code', () => {
    const src = file('<?xml version="1.0"?>', '<!--', '  c', '-->', '<a><![CDATA[ <!-- not --> ]]></a>');
    expect(countLines(src, 'XML')).toEqual(counts(2, 3, 0));
  });

  it('Markdown: HTML comments and the [//]: # idiom are comments', () => {
    const src = file(
      '# Title',
      '',
      '<!-- hidden',
      'comment -->',
      '[//]: # (also hidden)',
      'Text with <!-- inline --> comment.',
    );
    expect(countLines(src, 'Markdown')).toEqual(counts(2, 3, 1));
  });

  it('SQL: -- and /* */ comments; markers inside quotes are code', () => {
    const src = file(
      '-- comment',
      'SELECT \'--not\', "a--b" /* c */ FROM t;',
      '/* multi',
      '   line */',
      "SELECT 'it''s -- still';",
    );
    expect(countLines(src, 'SQL')).toEqual(counts(2, 3, 0));
  });

  it('Lua: long comments with levels; long strings hold comment markers', () => {
    const src = file(
      '--[[ long',
      'comment ]]',
      '--[==[ another ]] ]==]',
      'local s = [[ -- not a comment',
      ']]',
      '-- line',
    );
    expect(countLines(src, 'Lua')).toEqual(counts(2, 4, 0));
  });

  it('Haskell: nested {- -} comments, primes are not character literals', () => {
    const src = file('{- outer {- inner -} still -}', "f = foldl' (+) 0 -- sum", '-- line', "g = 'x'");
    expect(countLines(src, 'Haskell')).toEqual(counts(2, 2, 0));
  });
});

describe('countLines: hostile input', () => {
  it('stays linear on long lines of constructs that never close', () => {
    const line = (unit: string): string => unit.repeat(Math.ceil(200_000 / unit.length)) + '\n// c\n';
    expect(countLines(line('(/'), 'JavaScript')).toEqual(counts(1, 1, 0));
    expect(countLines(line('x = R"'), 'C++')).toEqual(counts(1, 1, 0));
    // `<<'a <<'` is a heredoc ended by the line `a <<`: the next line is its text, as in sh.
    expect(countLines(line("a <<'"), 'Shell')).toEqual(counts(2, 0, 0));
    expect(countLines(line('<script '), 'HTML')).toEqual(counts(2, 0, 0));
  });
});
