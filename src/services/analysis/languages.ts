/**
 * Linguist facts the composition needs: a language's type (programming, markup, data, prose).
 * Like Linguist's own statistics, only programming and markup languages compete for the primary
 * language; data (JSON, YAML) and prose (Markdown) are counted but never "the" language.
 */
import * as linguist from 'linguist-languages';

const types = new Map<string, string>();
for (const language of Object.values(linguist as Record<string, { name?: string; type?: string }>)) {
  if (typeof language?.name === 'string' && typeof language.type === 'string') types.set(language.name, language.type);
}

/** Linguist type of a language name, or `unknown`. */
export function languageType(language: string): string {
  return types.get(language) ?? 'unknown';
}

/** Programming and markup languages count towards the primary language (Linguist's "detectable"). */
export function isDetectable(language: string): boolean {
  const type = languageType(language);
  return type === 'programming' || type === 'markup';
}
