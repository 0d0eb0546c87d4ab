/**
 * .gitignore semantics as git applies them, on the `ignore` package: each .gitignore's patterns
 * are relative to its own directory; a deeper file takes precedence over a shallower one, which
 * takes precedence over `.git/info/exclude`; within one file the last matching pattern wins,
 * negation (`!x`) included. A level that neither ignores nor un-ignores a path defers to the
 * level above. Git never looks inside an ignored directory, so neither does the walker: that is
 * why a negation cannot re-include a file below an ignored directory (git documents the same).
 * The user's global excludes file is deliberately not read: the decision must depend on the
 * repository alone, not on the machine that runs selection.
 */
import ignore, { type Ignore } from 'ignore';

export interface IgnoreLevel {
  /** Directory the patterns are relative to: '' for the root, else `a/b/` (with the slash). */
  readonly base: string;
  /** How the rule detail names the file, e.g. `.gitignore`, `src/.gitignore`, `.git/info/exclude`. */
  readonly source: string;
  readonly matcher: Ignore;
}

/** Parses a .gitignore-format file; undefined when it has no patterns. */
export function parseIgnoreFile(base: string, source: string, content: string): IgnoreLevel | undefined {
  const patterns: { pattern: string; mark: string }[] = [];
  const lines = content.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = (lines[index] as string).replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    patterns.push({ pattern: line, mark: String(index + 1) });
  }
  if (patterns.length === 0) return undefined;
  return { base, source, matcher: ignore({ allowRelativePaths: true }).add(patterns) };
}

/**
 * The rule that ignores `path` (relative to the root; directories end in `/`), e.g.
 * `src/.gitignore:1 *.gen.ts`, or undefined when it is not ignored. `levels` are ordered from
 * the root down (info/exclude first) and all contain `path`.
 */
export function ignoredBy(levels: readonly IgnoreLevel[], path: string): string | undefined {
  for (let index = levels.length - 1; index >= 0; index -= 1) {
    const level = levels[index] as IgnoreLevel;
    let result: ReturnType<Ignore['checkIgnore']>;
    try {
      result = level.matcher.checkIgnore(path.slice(level.base.length));
    } catch {
      // `ignore` refuses names it cannot express as a relative path; git would not match them either.
      continue;
    }
    if (result.ignored) return `${level.source}:${result.rule?.mark ?? '?'} ${result.rule?.pattern ?? ''}`;
    if (result.unignored) return undefined;
  }
  return undefined;
}
