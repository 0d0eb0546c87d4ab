/**
 * Go modules: `require` lines of go.mod (single or in a block; `// indirect` ones are still
 * runtime: Go has no dev scope) with the version as constraint; go.work `use` directories as
 * workspace members.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, type ParsedManifest } from './parsed-manifest.js';

/** The directive's entries: `verb x` lines and the lines of `verb ( ... )` blocks. */
function directiveEntries(content: string, verb: string): string[] {
  const entries: string[] = [];
  let inBlock = false;
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.replace(/\/\/.*$/, '').trim();
    if (inBlock) {
      if (line === ')') inBlock = false;
      else if (line !== '') entries.push(line);
      continue;
    }
    if (line === `${verb} (`) inBlock = true;
    else if (line.startsWith(`${verb} `)) entries.push(line.slice(verb.length + 1).trim());
  }
  return entries;
}

export function parseGoMod(path: string, content: string): ParsedManifest {
  const dependencies: Dependency[] = [];
  for (const entry of directiveEntries(content, 'require')) {
    const [name, version] = entry.split(/\s+/);
    if (name !== undefined && name !== '(') dependencies.push(dependency('go', path, name, version ?? null, 'runtime'));
  }
  return { dependencies };
}

export function parseGoWork(_path: string, content: string): ParsedManifest {
  const patterns = directiveEntries(content, 'use').map((entry) => entry.split(/\s+/)[0] ?? '');
  return { dependencies: [], workspaces: { tool: 'go-work', patterns: patterns.filter((p) => p !== '') } };
}
