/**
 * languageForPath: the Linguist language of a file from its name alone (exact file names such as
 * `Makefile` and `Dockerfile`, then the longest matching extension), from the `linguist-languages`
 * data. Name-only on purpose: it is what counting needs to pick a comment syntax and it costs one
 * map lookup per file. Where an extension belongs to several languages, the one the counting table
 * knows wins (`.yml` is YAML, not MiniYAML), with a few explicit choices below. Linguist's content
 * heuristics (`.h` as C++ or Objective-C) are not applied: E2's detector may refine the answer.
 */
import * as linguist from 'linguist-languages';
import { isTableLanguage } from './syntax-table.js';

/** Extensions whose first table-known Linguist language is not the common one. */
const PREFERRED: Readonly<Record<string, string>> = { '.sql': 'SQL', '.php': 'PHP', '.inc': 'PHP' };

interface LinguistEntry {
  readonly name: string;
  readonly extensions?: readonly string[];
  readonly filenames?: readonly string[];
}

let maps: { byFilename: Map<string, string>; byExtension: Map<string, string> } | undefined;

function build(): NonNullable<typeof maps> {
  const byFilename = new Map<string, string[]>();
  const byExtension = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, name: string): void => {
    const list = map.get(key);
    if (list === undefined) map.set(key, [name]);
    else list.push(name);
  };
  for (const entry of Object.values(linguist) as LinguistEntry[]) {
    for (const extension of entry.extensions ?? []) push(byExtension, extension.toLowerCase(), entry.name);
    for (const filename of entry.filenames ?? []) push(byFilename, filename, entry.name);
  }
  const choose = (key: string, names: string[]): string =>
    PREFERRED[key] ?? names.find((name) => isTableLanguage(name)) ?? (names[0] as string);
  const resolve = (map: Map<string, string[]>): Map<string, string> =>
    new Map([...map].map(([key, names]) => [key, choose(key, names)]));
  return { byFilename: resolve(byFilename), byExtension: resolve(byExtension) };
}

/** The Linguist language name for a path (only its last segment matters), or undefined. */
export function languageForPath(path: string): string | undefined {
  maps ??= build();
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const basename = path.slice(slash + 1);
  const exact = maps.byFilename.get(basename);
  if (exact !== undefined) return exact;
  const lower = basename.toLowerCase();
  // Longest extension first: `x.tsconfig.json` before `.json`. A leading dot alone is a dotfile name.
  for (let dot = lower.indexOf('.', 1); dot >= 0; dot = lower.indexOf('.', dot + 1)) {
    const language = maps.byExtension.get(lower.slice(dot));
    if (language !== undefined) return language;
  }
  return undefined;
}
