/**
 * Section 9, size and cost: files, bytes, code lines (composition: not vendored or generated),
 * tokens, and basic COCOMO 81 in organic mode (Boehm): effort = 2.4 × KLOC^1.05 person-months,
 * schedule = 2.5 × effort^0.38 months, people = effort / schedule. A rough order of magnitude
 * for "what would rewriting this cost", as sloccount and scc print it; not a quote.
 */
import type { ReportSize } from '../../contracts/report.js';
import type { Manifest } from '../../ports/manifest-store.js';
import { round } from './text.js';

export function cocomoOrganic(codeLines: number): { effort: number; schedule: number; people: number } {
  const kloc = codeLines / 1000;
  if (kloc === 0) return { effort: 0, schedule: 0, people: 0 };
  const effort = 2.4 * kloc ** 1.05;
  const schedule = 2.5 * effort ** 0.38;
  return { effort, schedule, people: effort / schedule };
}

export function buildSize(manifest: Manifest, codeLines: number): ReportSize {
  const cocomo = cocomoOrganic(codeLines);
  return {
    files: manifest.files.length,
    bytes: manifest.files.reduce((sum, f) => sum + f.bytes, 0),
    code_lines: codeLines,
    tokens_included: manifest.totals.includedTokens,
    tokens_all: manifest.files.reduce((sum, f) => sum + (f.tokens ?? 0), 0),
    kloc: round(codeLines / 1000, 3),
    cocomo: {
      model: 'basic-organic',
      effort_person_months: round(cocomo.effort),
      schedule_months: round(cocomo.schedule),
      people: round(cocomo.people),
    },
  };
}
