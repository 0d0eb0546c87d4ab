/**
 * `repolens config print`: the effective configuration after flags, environment, config file and
 * defaults, with where each value came from; secrets are masked.
 */
import type { Command } from 'commander';
import { ENVIRONMENT_VARIABLES, SECRET_SETTINGS, type Config } from '../../config/schema.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson } from '../io.js';

const MASK = '********';

function shown(key: keyof Config, value: unknown): unknown {
  if (value === undefined) return undefined;
  if (SECRET_SETTINGS.has(key)) return MASK;
  if (key === 'databaseUrl' && typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.password !== '') url.password = MASK;
      return url.toString();
    } catch {
      return MASK;
    }
  }
  return value;
}

export function registerConfigCommand(program: Command, deps: CliDeps): void {
  program
    .command('config')
    .description('configuration helpers')
    .command('print')
    .description(
      'print the effective configuration (flags > environment > repolens.config.json > defaults), secrets masked',
    )
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const config = deps.resolveConfig({});
      const variableOf = new Map<string, string>(
        Object.entries(ENVIRONMENT_VARIABLES).map(([variable, setting]) => [setting, variable]),
      );
      const keys = Object.keys(config).sort() as (keyof Config)[];
      if (flags.json === true) {
        printJson(deps.io, Object.fromEntries(keys.map((key) => [key, shown(key, config[key])])));
        return;
      }
      deps.io.out(
        formatTable(
          ['SETTING', 'VALUE', 'ENVIRONMENT'],
          keys.map((key) => {
            const value = shown(key, config[key]);
            return [key, value === undefined ? '(unset)' : JSON.stringify(value), variableOf.get(key) ?? ''];
          }),
        ),
      );
    });
}
