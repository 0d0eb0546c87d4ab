/** Builds the effective configuration once, validates it, and freezes it. */
import type { z } from 'zod';
import { ErrorCodes, RepolensError } from '../domain/errors.js';
import { ConfigSchema, ENVIRONMENT_VARIABLES, type Config, type ConfigInput } from './schema.js';

/** The kind of value a setting holds, read from its schema, so new settings need no list here. */
function valueKind(setting: string): string | undefined {
  let schema = (ConfigSchema.shape as Record<string, z.ZodType | undefined>)[setting];
  while (schema !== undefined) {
    const def = schema._zod.def as { type: string; innerType?: z.ZodType };
    if ((def.type === 'default' || def.type === 'optional') && def.innerType !== undefined) schema = def.innerType;
    else return def.type;
  }
  return undefined;
}

function parseEnvValue(setting: string, raw: string): unknown {
  const kind = valueKind(setting);
  if (kind === 'array') {
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return setting === 'retryDelaysMs' ? items.map(Number) : items;
  }
  if (kind === 'number') return Number(raw);
  return raw;
}

function fromEnvironment(env: Readonly<Record<string, string | undefined>>): Partial<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  for (const [variable, setting] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const raw = env[variable];
    if (raw !== undefined && raw !== '') values[setting] = parseEnvValue(setting, raw);
  }
  return values;
}

function definedOnly(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

export interface ConfigSources {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Parsed `repolens.config.json`, when there is one. */
  readonly file?: unknown;
  /** Settings given as command-line flags (undefined = not given). */
  readonly flags?: Readonly<Partial<Record<keyof ConfigInput, unknown>>>;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  if (
    sources.file !== undefined &&
    (typeof sources.file !== 'object' || sources.file === null || Array.isArray(sources.file))
  ) {
    throw new RepolensError(ErrorCodes.configInvalid, 'the config file must hold a JSON object');
  }
  const merged = {
    ...definedOnly((sources.file ?? {}) as Record<string, unknown>),
    ...fromEnvironment(sources.env ?? {}),
    ...definedOnly(sources.flags ?? {}),
  };
  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const setting =
        issue.path.length > 0
          ? issue.path.map(String).join('.')
          : issue.code === 'unrecognized_keys'
            ? issue.keys.join(', ')
            : '(config)';
      return `${setting}: ${issue.message}`;
    });
    throw new RepolensError(ErrorCodes.configInvalid, `invalid configuration: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  return Object.freeze({
    ...result.data,
    brokers: Object.freeze([...result.data.brokers]),
    retryDelaysMs: Object.freeze([...result.data.retryDelaysMs]),
  }) as Config;
}
