/**
 * Language detection on GitHub Linguist's language table (the `linguist-languages` package):
 * exact file name first, then the longest matching extension, then the shebang interpreter of an
 * extension-less script. When an extension belongs to several languages (`.h`, `.m`, `.md`,
 * `.ts`), a tiny content heuristic decides `.h` and `.m`; otherwise the pick is Linguist's
 * popular list (popular.yml, plus the languages it has grown since), then programming over
 * markup over prose over data, then the name: deterministic, and right for the common cases
 * (`.md` is Markdown, not GCC Machine Description; `.ts` is TypeScript, not Qt's XML).
 * The lookup tables are built once, on first use.
 */
import * as linguist from 'linguist-languages';

interface LinguistLanguage {
  readonly name: string;
  readonly type: string;
  readonly extensions?: readonly string[];
  readonly filenames?: readonly string[];
  readonly interpreters?: readonly string[];
}

const POPULAR = new Set([
  // lib/linguist/popular.yml ("Bash" is Linguist's alias of Shell)
  'ActionScript',
  'Shell',
  'C',
  'C#',
  'C++',
  'CSS',
  'Common Lisp',
  'Diff',
  'Emacs Lisp',
  'Erlang',
  'HTML',
  'Haskell',
  'Java',
  'JavaScript',
  'Lua',
  'Objective-C',
  'PHP',
  'Perl',
  'Python',
  'Ruby',
  'SQL',
  'Scala',
  'Scheme',
  'TeX',
  'XML',
  // popular today, missing from the historical list
  'TypeScript',
  'TSX',
  'Go',
  'Rust',
  'Kotlin',
  'Swift',
  'Dart',
  'Markdown',
  'YAML',
  'JSON',
  'Text',
  'Verilog',
  'R',
]);

const TYPE_ORDER: Record<string, number> = { programming: 0, markup: 1, prose: 2, data: 3 };

interface Tables {
  readonly byFilename: Map<string, string>;
  readonly byExtension: Map<string, readonly string[]>;
  readonly byInterpreter: Map<string, string>;
  readonly typeOf: Map<string, string>;
}

let tables: Tables | undefined;

function preference(languages: readonly LinguistLanguage[]): LinguistLanguage[] {
  return [...languages].sort(
    (a, b) =>
      Number(POPULAR.has(b.name)) - Number(POPULAR.has(a.name)) ||
      (TYPE_ORDER[a.type] ?? 9) - (TYPE_ORDER[b.type] ?? 9) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

function buildTables(): Tables {
  const all = Object.values(linguist as unknown as Record<string, LinguistLanguage>).filter(
    (value) => typeof value === 'object' && value !== null && typeof value.name === 'string',
  );
  const collect = (key: (language: LinguistLanguage) => readonly string[] | undefined, lower: boolean) => {
    const map = new Map<string, LinguistLanguage[]>();
    for (const language of all) {
      for (const raw of key(language) ?? []) {
        const name = lower ? raw.toLowerCase() : raw;
        const list = map.get(name) ?? [];
        list.push(language);
        map.set(name, list);
      }
    }
    return map;
  };
  const first = (map: Map<string, LinguistLanguage[]>) =>
    new Map([...map].map(([name, languages]) => [name, (preference(languages)[0] as LinguistLanguage).name]));
  return {
    byFilename: first(collect((language) => language.filenames, false)),
    byExtension: new Map(
      [...collect((language) => language.extensions, true)].map(([extension, languages]) => [
        extension,
        preference(languages).map((language) => language.name),
      ]),
    ),
    byInterpreter: first(collect((language) => language.interpreters, false)),
    typeOf: new Map(all.map((language) => [language.name, language.type])),
  };
}

/** `#!/usr/bin/env -S python3 -u` → `python3`; undefined when the line is no shebang. */
function interpreterOf(firstLine: string): string | undefined {
  if (!firstLine.startsWith('#!')) return undefined;
  const words = firstLine.slice(2).trim().split(/\s+/);
  let command = (words.shift() ?? '').split('/').pop() ?? '';
  if (command === 'env') {
    command = words.find((word) => !word.startsWith('-') && !word.includes('=')) ?? '';
  }
  return command === '' ? undefined : command;
}

const CPP_MARKERS = /^\s*(?:class\s+\w+|namespace\s+\w+|template\s*<)|std::/m;
const OBJC_MARKERS = /^\s*(?:@interface|@implementation|@protocol|#import)\b/m;

/** Disambiguation by content for the two ambiguous extensions common enough to matter. */
function byContent(extension: string, head: string): string | undefined {
  if (extension === '.h') return OBJC_MARKERS.test(head) ? 'Objective-C' : CPP_MARKERS.test(head) ? 'C++' : 'C';
  if (extension === '.m') return OBJC_MARKERS.test(head) || /^\s*#include\b/m.test(head) ? 'Objective-C' : 'MATLAB';
  return undefined;
}

/**
 * The Linguist language of a file, or null. `name` is the base name; `head` is the start of the
 * content when it was read (for the shebang and `.h`/`.m`), else undefined.
 */
export function detectLanguage(name: string, head?: string): string | null {
  tables ??= buildTables();
  const exact = tables.byFilename.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  // Longest extension first: `x.cmake.in` before `.in`; a leading dot alone is no extension.
  for (let dot = lower.indexOf('.', 1); dot !== -1; dot = lower.indexOf('.', dot + 1)) {
    const extension = lower.slice(dot);
    const languages = tables.byExtension.get(extension);
    if (languages === undefined) continue;
    if (languages.length > 1 && head !== undefined) {
      const decided = byContent(extension, head.slice(0, 4096));
      if (decided !== undefined) return decided;
    }
    return languages[0] ?? null;
  }
  if (head !== undefined) {
    const newline = head.indexOf('\n');
    const interpreter = interpreterOf(newline === -1 ? head : head.slice(0, newline));
    if (interpreter !== undefined) {
      return (
        tables.byInterpreter.get(interpreter) ?? tables.byInterpreter.get(interpreter.replace(/[\d.]+$/, '')) ?? null
      );
    }
  }
  return null;
}

/** Linguist's type of a language: `programming`, `markup`, `prose` or `data`; null when unknown. */
export function languageType(language: string | null): string | null {
  if (language === null) return null;
  tables ??= buildTables();
  return tables.typeOf.get(language) ?? null;
}
