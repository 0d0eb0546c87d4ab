/**
 * The chunker's guarantees: no chunk above MAX_CHUNK_TOKENS (an oversize function is split,
 * an over-long line is cut by characters), nothing dropped (the chunks' lines cover every
 * non-blank line, checked over the whole evaluation corpus), small neighbours merged, Markdown
 * cut at headings, hostile text (special-token strings) taken as plain text.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CHUNK_TOKENS, type Chunk } from '../../../../src/ports/chunk.js';
import { createChunker, type Chunker } from '../../../../src/services/rag/chunking/index.js';

const CORPUS = 'test/fixtures/rag-corpus';

let chunker: Chunker;
beforeAll(async () => {
  chunker = await createChunker();
});
afterAll(() => chunker.close());

const exactTokens = (text: string): number => countTokens(text, { disallowedSpecial: new Set() });

/** Lines (1-based) that are non-blank and in no chunk. */
function uncovered(content: string, chunks: readonly Chunk[]): number[] {
  const covered = new Set<number>();
  for (const chunk of chunks) for (let line = chunk.startLine; line <= chunk.endLine; line += 1) covered.add(line);
  return content
    .split('\n')
    .flatMap((line, index) => (line.trim() !== '' && !covered.has(index + 1) ? [index + 1] : []));
}

/** Every invariant a chunk promises, against the file it came from. */
function expectValidChunks(path: string, content: string, chunks: readonly Chunk[]): void {
  const lines = content.split('\n');
  let previousStart = 0;
  for (const chunk of chunks) {
    expect(chunk.path).toBe(path);
    expect(chunk.tokens).toBeLessThanOrEqual(MAX_CHUNK_TOKENS);
    expect(chunk.tokens).toBe(exactTokens(chunk.content));
    expect(chunk.contentHash).toBe(createHash('sha256').update(chunk.content).digest('hex'));
    expect(chunk.startLine).toBeGreaterThanOrEqual(previousStart);
    expect(chunk.endLine).toBeGreaterThanOrEqual(chunk.startLine);
    const exact = lines.slice(chunk.startLine - 1, chunk.endLine).join('\n');
    // A chunk is exactly its lines, except the parts of one over-long line.
    if (chunk.startLine === chunk.endLine && chunk.content !== exact) expect(exact).toContain(chunk.content);
    else expect(chunk.content).toBe(exact);
    previousStart = chunk.startLine;
  }
  expect(uncovered(content, chunks)).toEqual([]);
}

function corpusFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return corpusFiles(full);
    return entry.name === 'queries.json' ? [] : [full];
  });
}

describe('chunker', () => {
  it('splits an oversize function under the cap, keeping its symbol and every line', () => {
    const body = Array.from(
      { length: 300 },
      (_, i) => `  const value${i} = compute(input, ${i}) + lookup('key-${i}') // step ${i}`,
    );
    const content = ['/** Does a lot. */', 'function enormous(input) {', ...body, '  return input', '}', ''].join('\n');
    const chunks = chunker.chunkFile({ path: 'big.js', language: 'JavaScript', content });
    expect(exactTokens(content)).toBeGreaterThan(MAX_CHUNK_TOKENS * 5);
    expect(chunks.length).toBeGreaterThan(5);
    expect(new Set(chunks.map((chunk) => chunk.symbol))).toEqual(new Set(['enormous']));
    expect(chunks[0]?.content.startsWith('/** Does a lot. */')).toBe(true);
    expectValidChunks('big.js', content, chunks);
  });

  it('merges small neighbouring functions and names all of them', () => {
    const content = ['function a() { return 1 }', 'function b() { return 2 }', '', 'function c() { return 3 }'].join(
      '\n',
    );
    const chunks = chunker.chunkFile({ path: 'small.js', language: 'JavaScript', content });
    expect(chunks.map((chunk) => [chunk.symbol, chunk.kind, chunk.startLine, chunk.endLine])).toEqual([
      ['a, b, c', 'function', 1, 4],
    ]);
  });

  it('does not merge past the merge budget', () => {
    const fn = (name: string): string =>
      [
        `function ${name}() {`,
        ...Array.from({ length: 12 }, (_, i) => `  step('${name}', ${i}, 'some words here')`),
        '}',
      ].join('\n');
    const content = [fn('first'), fn('second'), fn('third')].join('\n\n');
    const chunks = chunker.chunkFile({ path: 'three.js', language: 'JavaScript', content });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.tokens).toBeLessThanOrEqual(300);
    expectValidChunks('three.js', content, chunks);
  });

  it('attaches a leading doc comment to the function after it', () => {
    const content = ['// helpers', '', '/**', ' * Adds.', ' */', 'function add(a, b) {', '  return a + b', '}'].join(
      '\n',
    );
    const small = chunker.chunkFile({ path: 'doc.js', language: 'JavaScript', content });
    const withAdd = small.find((chunk) => chunk.symbol?.includes('add'));
    expect(withAdd?.startLine).toBeLessThanOrEqual(3);
    expect(withAdd?.content).toContain(' * Adds.');
  });

  it('cuts Markdown at headings and names sections by their heading path', async () => {
    const md = await createChunker({ mergeTokens: 1 });
    try {
      const content = [
        '# Tool', // 1
        'Intro.', // 2
        '## Install', // 3
        '```sh', // 4
        '# not a heading inside a fence', // 5
        'npm i tool', // 6
        '```', // 7
        '## Usage', // 8
        '### Options', // 9
        'Use --fast.', // 10
      ].join('\n');
      const chunks = md.chunkFile({ path: 'README.md', language: 'Markdown', content });
      expect(chunks.map((chunk) => [chunk.symbol, chunk.startLine, chunk.endLine])).toEqual([
        ['Tool', 1, 2],
        ['Tool > Install', 3, 7],
        ['Tool > Usage', 8, 8],
        ['Tool > Usage > Options', 9, 10],
      ]);
    } finally {
      md.close();
    }
  });

  it('cuts a minified line longer than the cap by characters', () => {
    const line = Array.from({ length: 900 }, (_, i) => `var a${i}=b${i}(c${i});`).join('');
    const chunks = chunker.chunkFile({ path: 'app.min.js', language: 'JavaScript', content: line + '\n' });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.content).join('')).toBe(line);
    expectValidChunks('app.min.js', line + '\n', chunks);
  });

  it('gives line windows to unknown languages and JSON, under the cap', () => {
    const content = JSON.stringify(
      Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`key${i}`, `value ${i}`])),
      null,
      2,
    );
    const chunks = chunker.chunkFile({ path: 'data.json', language: 'JSON', content });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((chunk) => chunk.kind === 'window' && chunk.symbol === null)).toBe(true);
    expectValidChunks('data.json', content, chunks);
  });

  it('takes special-token strings in repository text as plain text', () => {
    const content = 'const marker = "<|endoftext|><|im_start|>"\n';
    const chunks = chunker.chunkFile({ path: 'tokens.js', language: 'JavaScript', content });
    expectValidChunks('tokens.js', content, chunks);
  });

  it('returns nothing for an empty or blank file', () => {
    expect(chunker.chunkFile({ path: 'a.ts', language: 'TypeScript', content: '' })).toEqual([]);
    expect(chunker.chunkFile({ path: 'a.ts', language: 'TypeScript', content: '\n  \n\n' })).toEqual([]);
  });

  it('covers every non-blank line of every corpus file, within the cap', () => {
    const files = corpusFiles(CORPUS);
    expect(files.length).toBeGreaterThan(40);
    for (const file of files) {
      const path = relative(CORPUS, file);
      const content = readFileSync(file, 'utf8');
      const chunks = chunker.chunkFile({ path, language: null, content });
      expectValidChunks(path, content, chunks);
    }
  });
});
