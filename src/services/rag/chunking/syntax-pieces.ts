/**
 * Syntax-aware segmentation of one parsed file into pieces (line ranges with a kind and a
 * symbol path). See README.md for the algorithm: units become pieces of their own, code between
 * them becomes `module` pieces, small neighbours are merged, and a piece over the cap is split
 * along its children (units first, then statements), down to line windows.
 */
import type { Node } from 'web-tree-sitter';
import type { UnitInfo, UnitKind } from './language-units.js';
import { isLeading } from './language-units.js';
import { rangeTokens, type Piece, type SourceLines } from './source-lines.js';

export interface SegmentOptions {
  readonly maxTokens: number;
  /** Neighbouring pieces are merged while together they stay within this. */
  readonly mergeTokens: number;
  readonly classify: (node: Node) => UnitInfo | undefined;
}

/** A piece as segmentation produces it: `split` pieces came from cutting a big block apart. */
export interface Candidate extends Piece {
  readonly unit: { readonly kind: UnitKind; readonly name: string } | undefined;
  /** Estimated tokens (per-line sums). */
  readonly tokens: number;
  /** A piece over `maxTokens` that could not be cut along syntax: the caller windows it. */
  readonly oversize: boolean;
  readonly split: boolean;
}

export interface SegmentContext {
  /** Symbol path of the enclosing units. */
  readonly path: readonly string[];
  /** Kind of code here that is not a unit: `module` at top level, else the enclosing unit's. */
  readonly kind: string;
  readonly inClass: boolean;
}

interface Block {
  start: number;
  end: number;
  readonly node: Node | null;
  readonly unit: UnitInfo | undefined;
}

const SYMBOL_SEPARATOR = ' > ';

/** Last row a node occupies; a node ending at column 0 ends on the row before. */
function lastRow(node: Node): number {
  const end = node.endPosition;
  return end.column === 0 && end.row > node.startPosition.row ? end.row - 1 : end.row;
}

/** Named children as disjoint row blocks within `start..end`, comments attached to what follows. */
function blocksOf(node: Node, start: number, end: number, options: SegmentOptions): Block[] {
  const blocks: Block[] = [];
  let leading: { start: number; end: number } | undefined;
  const flushLeading = (): void => {
    if (leading !== undefined) blocks.push({ ...leading, node: null, unit: undefined });
    leading = undefined;
  };
  for (const child of node.namedChildren) {
    let from = Math.max(child.startPosition.row, start);
    const to = Math.min(lastRow(child), end);
    const previousEnd = leading?.end ?? blocks.at(-1)?.end ?? start - 1;
    // Rows are indivisible: a child sharing a row with what came before starts after it.
    if (to <= previousEnd) continue;
    from = Math.max(from, previousEnd + 1);
    if (isLeading(child)) {
      // A comment separated by a blank line documents nothing in particular: it stands alone.
      if (leading !== undefined && from > leading.end + 1) flushLeading();
      leading = leading === undefined ? { start: from, end: to } : { start: leading.start, end: to };
      continue;
    }
    if (leading !== undefined && from > leading.end + 1) flushLeading();
    const unit = options.classify(child);
    blocks.push({ start: leading?.start ?? from, end: to, node: child, unit });
    leading = undefined;
  }
  flushLeading();
  return blocks;
}

function symbolOf(path: readonly string[]): string | null {
  return path.length === 0 ? null : path.join(SYMBOL_SEPARATOR);
}

function unitPath(context: SegmentContext, unit: UnitInfo): string[] {
  return unit.scope === undefined ? [...context.path, unit.name] : [...context.path, unit.scope, unit.name];
}

function unitKind(context: SegmentContext, unit: UnitInfo): UnitKind {
  return unit.kind === 'function' && context.inClass ? 'method' : unit.kind;
}

/** Pieces covering rows `start..end` of `node` (every row in exactly one piece). */
export function segment(
  source: SourceLines,
  node: Node,
  start: number,
  end: number,
  context: SegmentContext,
  options: SegmentOptions,
): Candidate[] {
  const blocks = blocksOf(node, start, end, options);
  if (blocks.length === 0) {
    const tokens = rangeTokens(source, start, end);
    const oversize = tokens > options.maxTokens;
    return [
      {
        start,
        end,
        kind: context.kind,
        symbol: symbolOf(context.path),
        unit: undefined,
        tokens,
        oversize,
        split: false,
      },
    ];
  }

  // Rows no child covers: before the first (a header), between (punctuation, blank lines: they
  // go with the block before), after the last (closing lines).
  const first = blocks[0];
  if (first !== undefined && first.start > start)
    blocks.unshift({ start, end: first.start - 1, node: null, unit: undefined });
  for (let i = 0; i + 1 < blocks.length; i += 1) {
    const block = blocks[i];
    const next = blocks[i + 1];
    if (block !== undefined && next !== undefined) block.end = next.start - 1;
  }
  const last = blocks.at(-1);
  if (last !== undefined && last.end < end) blocks.push({ start: last.end + 1, end, node: null, unit: undefined });

  const candidates: Candidate[] = [];
  for (const block of blocks) {
    const tokens = rangeTokens(source, block.start, block.end);
    const path = block.unit === undefined ? context.path : unitPath(context, block.unit);
    const kind = block.unit === undefined ? context.kind : unitKind(context, block.unit);
    const unit = block.unit === undefined ? undefined : { kind: unitKind(context, block.unit), name: block.unit.name };
    const piece = { start: block.start, end: block.end, kind, symbol: symbolOf(path), unit, tokens };
    if (tokens <= options.maxTokens) {
      candidates.push({ ...piece, oversize: false, split: false });
    } else if (block.node === null || block.node.namedChildCount === 0) {
      candidates.push({ ...piece, oversize: true, split: false });
    } else {
      // Too big: cut it along its own children (a class into methods, a function into
      // statements, a wrapper into what it wraps), with this block's symbol path.
      const inner: SegmentContext = {
        path,
        kind,
        inClass: block.unit === undefined ? context.inClass : block.unit.kind === 'class',
      };
      const parts = segment(source, block.node, block.start, block.end, inner, options);
      candidates.push(...parts.map((part) => ({ ...part, split: true })));
    }
  }
  return merge(candidates, context, options);
}

/** One piece of several neighbours: named after the units in it. */
function combine(group: readonly Candidate[], context: SegmentContext): Candidate {
  const units = group.filter((candidate) => candidate.unit !== undefined);
  const [firstUnit] = units;
  let kind = context.kind;
  let symbol = symbolOf(context.path);
  if (units.length === 1 && firstUnit !== undefined) {
    kind = firstUnit.kind;
    symbol = firstUnit.symbol;
  } else if (units.length > 1) {
    const kinds = new Set(units.map((candidate) => candidate.kind));
    if (kinds.size === 1 && firstUnit !== undefined) kind = firstUnit.kind;
    symbol = symbolOf([...context.path, units.map((candidate) => candidate.unit?.name ?? '').join(', ')]);
  }
  const head = group[0];
  const tail = group.at(-1);
  return {
    start: head?.start ?? 0,
    end: tail?.end ?? 0,
    kind,
    symbol,
    unit: units.length === 1 ? firstUnit?.unit : undefined,
    tokens: group.reduce((sum, candidate) => sum + candidate.tokens, 0),
    oversize: false,
    split: false,
  };
}

/**
 * Consecutive small pieces merged while their sum stays within `mergeTokens`; pieces cut out of
 * a bigger block stay as they are (their own level merged them already).
 */
function merge(candidates: readonly Candidate[], context: SegmentContext, options: SegmentOptions): Candidate[] {
  const merged: Candidate[] = [];
  let group: Candidate[] = [];
  let groupTokens = 0;
  const flush = (): void => {
    if (group.length === 1 && group[0] !== undefined) merged.push(group[0]);
    else if (group.length > 1) merged.push(combine(group, context));
    group = [];
    groupTokens = 0;
  };
  for (const candidate of candidates) {
    if (candidate.split || candidate.oversize) {
      flush();
      merged.push(candidate);
      continue;
    }
    if (group.length > 0 && groupTokens + candidate.tokens > options.mergeTokens) flush();
    group.push(candidate);
    groupTokens += candidate.tokens;
  }
  flush();
  return merged;
}

/**
 * Pieces this small (a class's header line, a closing brace) are fragments, not units; tied to
 * the merge budget so that turning merging off (a budget of 1) turns this off too.
 */
const fragmentTokens = (mergeTokens: number): number => Math.min(40, Math.floor(mergeTokens / 4));

const fits = (a: Candidate, b: Candidate, budget: number): boolean =>
  !a.oversize && !b.oversize && a.tokens + b.tokens <= budget;

/** `Foo` heads `Foo > bar`: a class's header line belongs with its first members. */
const heads = (piece: Candidate, next: Candidate): boolean =>
  piece.symbol !== null && next.symbol !== null && next.symbol.startsWith(piece.symbol + ' > ');

function join(a: Candidate, b: Candidate): Candidate {
  const named = a.tokens >= b.tokens ? a : b;
  return { ...named, start: a.start, end: b.end, tokens: a.tokens + b.tokens };
}

/**
 * The last pass over a file's pieces: a fragment left alone by a split (a header line, the
 * closing lines of a class) joins its neighbour when together within `maxTokens` (a header
 * the members it heads, anything else the piece before); neighbours with the same symbol join
 * within `mergeTokens`. The bigger side names the result.
 */
export function absorbFragments(pieces: readonly Candidate[], mergeTokens: number, maxTokens: number): Candidate[] {
  const fragment = fragmentTokens(mergeTokens);
  const isFragment = (piece: Candidate): boolean => piece.tokens < fragment;
  const out: Candidate[] = [];
  for (let i = 0; i < pieces.length; i += 1) {
    let piece = pieces[i];
    if (piece === undefined) continue;
    const next = pieces[i + 1];
    if (next !== undefined && isFragment(piece) && heads(piece, next) && fits(piece, next, maxTokens)) {
      piece = { ...join(piece, next), symbol: next.symbol, kind: next.kind };
      i += 1;
    }
    const previous = out.at(-1);
    if (
      previous !== undefined &&
      ((fits(previous, piece, maxTokens) && (isFragment(previous) || isFragment(piece))) ||
        (fits(previous, piece, mergeTokens) && previous.symbol === piece.symbol))
    ) {
      out[out.length - 1] = join(previous, piece);
      continue;
    }
    out.push(piece);
  }
  return out;
}
