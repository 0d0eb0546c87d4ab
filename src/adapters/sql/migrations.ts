/**
 * The schema's migrations: numbered plain SQL files in ./migrations (`NNNN_name.sql`), oldest
 * first, that run unchanged on PostgreSQL (15+, with pgvector) and PGlite. The build copies them
 * next to the compiled code. Never edit an applied migration (its checksum is recorded and
 * checked): add a new file.
 */
import { readFileSync, readdirSync } from 'node:fs';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

const MIGRATION_FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
const migrationsDir = new URL('./migrations/', import.meta.url);

let bundled: readonly Migration[] | undefined;

/** The migrations shipped with this version of repolens, read once on first use. */
export function bundledMigrations(): readonly Migration[] {
  bundled ??= readdirSync(migrationsDir)
    .flatMap((file) => {
      const match = MIGRATION_FILE.exec(file);
      if (match === null) return [];
      return [
        {
          version: Number(match[1]),
          name: match[2] as string,
          sql: readFileSync(new URL(file, migrationsDir), 'utf8'),
        },
      ];
    })
    .sort((a, b) => a.version - b.version);
  return bundled;
}
