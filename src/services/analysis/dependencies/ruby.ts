/**
 * RubyGems Gemfile: `gem 'name', 'constraint', ...` lines; constraints are the following string
 * arguments joined with `, `. Inside `group :development` / `:test` blocks (any group list that
 * has no other names) or with `group:`/`groups:` options naming only those, the gem is dev.
 * A regex over lines with a block stack, not a Ruby evaluation.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, type ParsedManifest } from './parsed-manifest.js';

const DEV_GROUPS = new Set(['development', 'test']);

function groupsAreDev(text: string): boolean {
  const names = [...text.matchAll(/:(\w+)|["'](\w+)["']/g)].map((m) => m[1] ?? m[2] ?? '');
  return names.length > 0 && names.every((name) => DEV_GROUPS.has(name));
}

export function parseGemfile(path: string, content: string): ParsedManifest {
  const dependencies: Dependency[] = [];
  const stack: boolean[] = [];
  for (const raw of content.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    const group = /^group\s+(.+?)\s+do\b/.exec(line);
    if (group !== null) {
      stack.push(groupsAreDev(group[1] as string));
      continue;
    }
    if (/\bdo\b(\s*\|.*\|)?$/.test(line)) {
      stack.push(stack.at(-1) ?? false);
      continue;
    }
    if (line === 'end') {
      stack.pop();
      continue;
    }
    const gem = /^gem\s*\(?\s*["']([^"']+)["']((?:\s*,\s*["'][^"']*["'])*)(.*)$/.exec(line);
    if (gem === null) continue;
    const constraints = [...(gem[2] ?? '').matchAll(/["']([^"']*)["']/g)].map((m) => m[1] as string);
    const option = /\bgroups?\s*:\s*(\[[^\]]*\]|:\w+|["']\w+["'])/.exec(gem[3] ?? '');
    const dev = option !== null ? groupsAreDev(option[1] as string) : (stack.at(-1) ?? false);
    dependencies.push(
      dependency(
        'rubygems',
        path,
        gem[1] as string,
        constraints.length > 0 ? constraints.join(', ') : null,
        dev ? 'dev' : 'runtime',
      ),
    );
  }
  return { dependencies, buildSystem: 'bundler' };
}
