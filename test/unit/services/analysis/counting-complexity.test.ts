/**
 * fileComplexity: 1 + branch points per file, per the keyword table in branch-table.ts, never
 * counting keywords or operators inside comments, strings, regex literals or docstrings.
 */
import { describe, expect, it } from 'vitest';
import { fileComplexity } from '../../../../src/services/analysis/counting/index.js';

const file = (...lines: string[]): string => lines.join('\n') + '\n';

describe('fileComplexity', () => {
  it('JavaScript: counts if, loops, cases, catch, &&, ||, ??, spaced ternaries; not ?. or text in literals', () => {
    const src = file(
      'function f(a, b) {',
      '  if (a && b) return 1;', // if, &&
      '  else if (a || b) return 2;', // if, ||
      '  for (const x of a) {}', // for
      '  while (b) {}', // while
      '  switch (a) { case 1: break; case 2: break; default: }', // case, case
      '  try {} catch (e) {}', // catch
      '  const c = a ? 1 : 2;', // ?
      '  const d = a ?? b;', // ??
      '  const e = a?.b;',
      '  // if (x && y) in a comment',
      '  /* while (z || w) */',
      '  const s = "if (a && b)";',
      '  const r = /if|for|a && b/;',
      '  return `${a ? 1 : 2} if`;', // ? inside ${}
      '}',
    );
    expect(fileComplexity(src, 'JavaScript')).toBe(1 + 12);
  });

  it('TypeScript: optional members and non-null assertions are not branches', () => {
    const src = file('interface A { b?: string; c?(): void }', 'const x = y!.z;', 'let t: string | undefined;');
    expect(fileComplexity(src, 'TypeScript')).toBe(1);
  });

  it('Python: if/elif/for/while/except/and/or; docstrings and comments do not count', () => {
    const src = file(
      'def f(a, b):',
      '    """if a and b: for x in y"""',
      '    if a and b:', // if, and
      '        pass',
      '    elif a or b:', // elif, or
      '        pass',
      '    else:',
      '        pass',
      '    for x in a:', // for
      '        while x:', // while
      '            break',
      '    try:',
      '        pass',
      '    except ValueError:', // except
      '        pass',
      '    # if while for',
      '    return [y for y in b if y]', // for, if
    );
    expect(fileComplexity(src, 'Python')).toBe(1 + 9);
  });

  it('Shell: if/elif/loops/&&/||/case arms', () => {
    const src = file(
      '#!/bin/sh',
      'if [ -f a ]; then echo a; elif [ -f b ]; then echo b; fi', // if, elif
      'for x in 1 2; do :; done', // for
      'test -d x && echo y || echo z', // &&, ||
      'case "$1" in', // (case itself: no)
      '  a) echo a ;;', // ;;
      '  b) echo b ;;', // ;;
      'esac',
      'echo "if && ||" # while',
    );
    expect(fileComplexity(src, 'Shell')).toBe(1 + 7);
  });

  it('Go, Rust, Kotlin, Ruby: language-specific keywords and operators', () => {
    expect(fileComplexity(file('if a && b {', '} else if c {', '}', 'for {}', 'switch { case 1: }'), 'Go')).toBe(1 + 5);
    // Rust: each match arm counts (one more per match than McCabe).
    expect(fileComplexity(file('match x {', '  1 => a,', '  _ => b,', '}', 'if a || b {}', 'while c {}'), 'Rust')).toBe(
      1 + 5,
    );
    expect(fileComplexity(file('val n = s ?: "x"', 'val t: String? = null', 'when (x) { 1 -> a }'), 'Kotlin')).toBe(
      1 + 2,
    );
    expect(fileComplexity(file('return if list.empty?', 'x = a unless b', 'y = c ? 1 : 2', "z = 'if'"), 'Ruby')).toBe(
      1 + 3,
    );
  });

  it('SQL keywords match in any case', () => {
    expect(
      fileComplexity(file('SELECT CASE WHEN a THEN 1 when b THEN 2 END -- WHEN', "FROM t WHERE c = 'when';"), 'SQL'),
    ).toBe(1 + 2);
  });

  it('Vue: branches in the embedded script count with its language', () => {
    const src = file(
      '<template><div v-if="a && b"></div></template>',
      '<script lang="ts">',
      'if (a || b) {}',
      '</script>',
    );
    expect(fileComplexity(src, 'Vue')).toBe(1 + 2);
  });

  it('data and markup files have no paths: 0', () => {
    expect(fileComplexity(file('{ "if": "a && b" }'), 'JSON')).toBe(0);
    expect(fileComplexity(file('# if', 'for: while'), 'YAML')).toBe(0);
    expect(fileComplexity(file('If you && I'), 'Markdown')).toBe(0);
    expect(fileComplexity(file('if x'), 'NoSuchLanguage')).toBe(0);
  });
});
