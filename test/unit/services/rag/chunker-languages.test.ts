/**
 * The chunker on one small real-looking sample per required language: every grammar loads and
 * parses, and the units come out with the expected symbol paths, kinds and line ranges (merging
 * is turned off so each unit is its own chunk; comments belong to the unit after them).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChunker, GRAMMAR_IDS, grammarFor, type Chunker } from '../../../../src/services/rag/chunking/index.js';

let chunker: Chunker;
beforeAll(async () => {
  chunker = await createChunker({ mergeTokens: 1 });
});
afterAll(() => chunker.close());

/** [symbol, kind, startLine, endLine] of each chunk. */
function units(path: string, language: string | null, lines: string[]): [string | null, string, number, number][] {
  return chunker
    .chunkFile({ path, language, content: lines.join('\n') + '\n' })
    .map((chunk) => [chunk.symbol, chunk.kind, chunk.startLine, chunk.endLine]);
}

interface Sample {
  readonly path: string;
  readonly language: string;
  readonly lines: string[];
  readonly expected: [string | null, string, number, number][];
}

const SAMPLES: Sample[] = [
  {
    path: 'src/retry.ts',
    language: 'TypeScript',
    lines: [
      "import { sleep } from './sleep.js';", // 1
      '', // 2
      '/** Decides whether to retry. */', // 3
      'export class RetryPolicy {', // 4
      '  decide(attempt: number): boolean {', // 5
      '    return attempt < 3;', // 6
      '  }', // 7
      '}', // 8
      '', // 9
      'export const backoff = (attempt: number): number => attempt * 100;', // 10
      '', // 11
      'interface Options { readonly retries: number }', // 12
    ],
    expected: [
      [null, 'module', 1, 1],
      ['RetryPolicy', 'class', 3, 8],
      ['backoff', 'function', 10, 10],
      ['Options', 'class', 12, 12],
    ],
  },
  {
    path: 'src/view.tsx',
    language: 'TSX',
    lines: ['export function View(props: { name: string }) {', '  return <div>{props.name}</div>;', '}'],
    expected: [['View', 'function', 1, 3]],
  },
  {
    path: 'lib/client.js',
    language: 'JavaScript',
    lines: [
      "'use strict'", // 1
      'function connect(host) {', // 2
      '  return host', // 3
      '}', // 4
      'Client.prototype.query = function (text) {', // 5
      '  return text', // 6
      '}', // 7
      'module.exports = { connect }', // 8
    ],
    expected: [
      [null, 'module', 1, 1],
      ['connect', 'function', 2, 4],
      ['Client.prototype.query', 'function', 5, 7],
      [null, 'module', 8, 8],
    ],
  },
  {
    path: 'pkg/policy.py',
    language: 'Python',
    lines: [
      'import time', // 1
      '', // 2
      '# A policy.', // 3
      'class RetryPolicy:', // 4
      '    @staticmethod', // 5
      '    def decide(attempt):', // 6
      '        """Retry thrice."""', // 7
      '        return attempt < 3', // 8
      '', // 9
      'def backoff(attempt):', // 10
      '    return attempt * 0.1', // 11
    ],
    expected: [
      [null, 'module', 1, 1],
      ['RetryPolicy', 'class', 3, 8],
      ['backoff', 'function', 10, 11],
    ],
  },
  {
    path: 'retry/policy.go',
    language: 'Go',
    lines: [
      'package retry', // 1
      '', // 2
      '// Policy decides.', // 3
      'type Policy struct{ Max int }', // 4
      '', // 5
      'func (p *Policy) Decide(attempt int) bool {', // 6
      '\treturn attempt < p.Max', // 7
      '}', // 8
      '', // 9
      'func Backoff(attempt int) int { return attempt * 100 }', // 10
    ],
    expected: [
      [null, 'module', 1, 1],
      ['Policy', 'class', 3, 4],
      ['Policy > Decide', 'method', 6, 8],
      ['Backoff', 'function', 10, 10],
    ],
  },
  {
    path: 'src/main/java/Retry.java',
    language: 'Java',
    lines: [
      'package retry;', // 1
      '', // 2
      'public class RetryPolicy {', // 3
      '  public boolean decide(int attempt) {', // 4
      '    return attempt < 3;', // 5
      '  }', // 6
      '}', // 7
      'interface Clock { long now(); }', // 8
    ],
    expected: [
      [null, 'module', 1, 1],
      ['RetryPolicy', 'class', 3, 7],
      ['Clock', 'class', 8, 8],
    ],
  },
  {
    path: 'src/retry.rs',
    language: 'Rust',
    lines: [
      'use std::time::Duration;', // 1
      '', // 2
      '/// A policy.', // 3
      '#[derive(Debug)]', // 4
      'pub struct RetryPolicy { max: u32 }', // 5
      '', // 6
      'impl RetryPolicy {', // 7
      '    pub fn decide(&self, attempt: u32) -> bool { attempt < self.max }', // 8
      '}', // 9
      '', // 10
      'fn backoff(attempt: u32) -> Duration { Duration::from_millis(attempt as u64) }', // 11
    ],
    expected: [
      [null, 'module', 1, 1],
      ['RetryPolicy', 'class', 3, 5],
      ['RetryPolicy', 'class', 7, 9],
      ['backoff', 'function', 11, 11],
    ],
  },
  {
    path: 'src/retry.c',
    language: 'C',
    lines: [
      '#include <stdbool.h>', // 1
      '', // 2
      'typedef struct { int max; } retry_policy;', // 3
      '', // 4
      '/* Decides. */', // 5
      'static bool retry_decide(const retry_policy *p, int attempt) {', // 6
      '  return attempt < p->max;', // 7
      '}', // 8
    ],
    expected: [
      [null, 'module', 1, 1],
      ['retry_policy', 'class', 3, 3],
      ['retry_decide', 'function', 5, 8],
    ],
  },
  {
    path: 'src/retry.cpp',
    language: 'C++',
    lines: [
      'namespace retry {', // 1
      'class Policy {', // 2
      ' public:', // 3
      '  bool decide(int attempt) const { return attempt < 3; }', // 4
      '};', // 5
      '}', // 6
      'int Policy::limit() { return 3; }', // 7
    ],
    expected: [
      ['retry', 'class', 1, 6],
      ['Policy::limit', 'function', 7, 7],
    ],
  },
  {
    path: 'src/Retry.cs',
    language: 'C#',
    lines: [
      'using System;', // 1
      'namespace Retry {', // 2
      '  public class Policy {', // 3
      '    public bool Decide(int attempt) { return attempt < 3; }', // 4
      '  }', // 5
      '}', // 6
    ],
    expected: [
      [null, 'module', 1, 1],
      ['Retry', 'class', 2, 6],
    ],
  },
  {
    path: 'lib/retry.rb',
    language: 'Ruby',
    lines: [
      "require 'time'", // 1
      'module Retry', // 2
      '  class Policy', // 3
      '    def decide(attempt)', // 4
      '      attempt < 3', // 5
      '    end', // 6
      '  end', // 7
      'end', // 8
      'def backoff(n) = n * 2', // 9
    ],
    expected: [
      [null, 'module', 1, 1],
      ['Retry', 'class', 2, 8],
      ['backoff', 'function', 9, 9],
    ],
  },
  {
    path: 'src/Retry.php',
    language: 'PHP',
    lines: [
      '<?php', // 1
      'namespace App;', // 2
      'class Policy {', // 3
      '  public function decide($attempt) { return $attempt < 3; }', // 4
      '}', // 5
      'function backoff($n) { return $n * 2; }', // 6
    ],
    expected: [
      [null, 'module', 1, 1],
      [null, 'module', 2, 2],
      ['Policy', 'class', 3, 5],
      ['backoff', 'function', 6, 6],
    ],
  },
];

describe('chunker grammars', () => {
  it('has a sample for every grammar it loads', () => {
    const covered = new Set(SAMPLES.map((sample) => grammarFor(sample.path, sample.language)));
    expect([...covered].sort()).toEqual([...GRAMMAR_IDS].sort());
  });

  it.each(SAMPLES)('cuts $language into its units', ({ path, language, lines, expected }) => {
    expect(units(path, language, lines)).toEqual(expected);
  });

  it('picks the grammar from the extension when the language is unknown', () => {
    const lines = ['def a():', '    return 1', '', 'def b():', '    return 2'];
    expect(units('x/tool.py', null, lines)).toEqual([
      ['a', 'function', 1, 2],
      ['b', 'function', 4, 5],
    ]);
  });

  it('splits a class too big for one chunk into its methods, with the class path', async () => {
    const small = await createChunker({ maxTokens: 60, mergeTokens: 20 });
    try {
      const method = (name: string): string[] => [
        `  ${name}(value) {`,
        `    const doubled = value * 2 + ${name.length} // ${'padding '.repeat(4)}`,
        '    return doubled',
        '  }',
      ];
      const lines = ['class Store {', ...method('load'), ...method('save'), ...method('drop'), '}'];
      const chunks = small.chunkFile({ path: 'store.js', language: 'JavaScript', content: lines.join('\n') });
      expect(chunks.map((chunk) => [chunk.symbol, chunk.kind])).toEqual([
        ['Store > load', 'method'],
        ['Store > save', 'method'],
        ['Store > drop', 'method'],
      ]);
      expect(chunks[0]?.startLine).toBe(1);
      expect(chunks.at(-1)?.endLine).toBe(lines.length);
    } finally {
      small.close();
    }
  });
});
