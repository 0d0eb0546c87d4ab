/**
 * What a manifest parser extracts from one build file. Parsers are pure (path + text in), never
 * throw on hostile or broken input (a broken file is a warning in the report), and copy values
 * as written: constraints are not resolved against lock files or registries.
 */
import type { Dependency, Ecosystem } from '../../../contracts/report.js';

export interface ParsedManifest {
  readonly dependencies: readonly Dependency[];
  /** Workspace member globs or paths, relative to the manifest's directory. */
  readonly workspaces?: { readonly tool: string; readonly patterns: readonly string[] };
  /** Entry points the manifest declares (relative to its directory), with where they come from. */
  readonly entryPoints?: readonly { readonly path: string; readonly source: string }[];
  /** A declared license expression (package.json `license`, Cargo `package.license`, ...). */
  readonly license?: string;
  /** The build tool the manifest implies, e.g. `poetry`, `hatchling`, `maven`. */
  readonly buildSystem?: string;
  /** Set when the file could not be parsed; the dependencies are then empty. */
  readonly warning?: string;
}

export type ManifestParser = (path: string, content: string) => ParsedManifest;

export const MAX_FIELD = 300;

/** Builds a dependency with bounded, cleaned fields. */
export function dependency(
  ecosystem: Ecosystem,
  manifestPath: string,
  name: string,
  constraint: string | null,
  scope: 'runtime' | 'dev',
): Dependency {
  const tidy = (text: string): string => {
    // eslint-disable-next-line no-control-regex
    const cleaned = text.replace(/[\u0000-\u001F\u007F]/g, ' ').trim();
    return cleaned.length <= MAX_FIELD ? cleaned : cleaned.slice(0, MAX_FIELD);
  };
  const bounded = constraint === null ? null : tidy(constraint);
  return {
    name: tidy(name),
    constraint: bounded === '' ? null : bounded,
    scope,
    ecosystem,
    manifest_path: manifestPath,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function failed(error: unknown): ParsedManifest {
  const message = error instanceof Error ? error.message : String(error);
  return { dependencies: [], warning: `unparsable: ${message.slice(0, 200)}` };
}
