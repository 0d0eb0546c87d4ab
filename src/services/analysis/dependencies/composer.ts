/**
 * Composer composer.json: `require` runtime, `require-dev` dev. Platform requirements (`php`,
 * `ext-*`, `lib-*`, `composer-*`) are not packages and are skipped.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, failed, isRecord, type ParsedManifest } from './parsed-manifest.js';

const PLATFORM = /^(php|hhvm|ext-.+|lib-.+|composer(-.+)?)$/i;

export function parseComposerJson(path: string, content: string): ParsedManifest {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return failed(error);
  }
  if (!isRecord(json)) return failed(new Error('not a JSON object'));
  const dependencies: Dependency[] = [];
  for (const [field, scope] of [
    ['require', 'runtime'],
    ['require-dev', 'dev'],
  ] as const) {
    const block = json[field];
    if (!isRecord(block)) continue;
    for (const [name, constraint] of Object.entries(block)) {
      if (PLATFORM.test(name)) continue;
      dependencies.push(dependency('composer', path, name, typeof constraint === 'string' ? constraint : null, scope));
    }
  }
  const license = typeof json.license === 'string' ? json.license : undefined;
  return { dependencies, buildSystem: 'composer', ...(license === undefined ? {} : { license }) };
}
