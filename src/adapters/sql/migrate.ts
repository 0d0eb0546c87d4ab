/**
 * Applies pending migrations in one transaction under a database-wide advisory lock, so
 * concurrent starters (several workers, parallel test files) apply each migration once and
 * never see a half-migrated schema. PGlite has a single connection; the lock costs nothing there.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { Migration } from './migrations.js';
import type { SqlExecutor } from './sql-executor.js';
import { sqlState } from './sql-state.js';

export const MigrationErrorCodes = {
  /** The database was migrated by a newer repolens; this one must not touch it. */
  databaseNewer: 'REPOLENS_DATABASE_NEWER',
  /** An applied migration's SQL changed since: the schema may not be what the code expects. */
  migrationModified: 'REPOLENS_MIGRATION_MODIFIED',
  /** The server lacks an extension the schema needs (pgvector). */
  extensionMissing: 'REPOLENS_DATABASE_EXTENSION_MISSING',
} as const;

export interface MigrateOptions {
  readonly migrations: readonly Migration[];
  /** Runs first inside the locked transaction (PostgreSQL: create the schema). */
  readonly prepare?: (tx: SqlExecutor) => Promise<void>;
  /** Names the database in errors (never with credentials). */
  readonly databaseLabel: string;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

// Same key for every schema: extensions are database-wide, so migrations of different schemas
// must not run CREATE EXTENSION at the same time either.
const LOCK_KEY = 'repolens:migrate';

// 0A000 (PostgreSQL 15+) / 58P01 (older): no control file, i.e. the extension is not installed.
const EXTENSION_NOT_AVAILABLE: ReadonlySet<string> = new Set(['0A000', '58P01']);
// Another client (not taking our lock) created the same extension concurrently.
const DUPLICATE_OBJECT: ReadonlySet<string> = new Set(['23505', '42710']);

export function checksumOf(migration: Migration): string {
  return createHash('sha256').update(migration.sql).digest('hex');
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (
      !Number.isInteger(migration.version) ||
      migration.version < 1 ||
      (previous && previous.version >= migration.version)
    ) {
      throw new RepolensError(
        ErrorCodes.internal,
        `migration versions must increase from 1: ${migration.version} (${migration.name})`,
      );
    }
  });
}

function extensionMissing(error: unknown, migration: Migration, databaseLabel: string): RepolensError {
  return new RepolensError(
    MigrationErrorCodes.extensionMissing,
    `migration ${migration.version} (${migration.name}) needs the pgvector extension ("vector"), which ${databaseLabel} ` +
      'does not have. Install it on the database server: `sudo npm run pgvector:install` ' +
      "(scripts/install-pgvector.sh) on this machine, or your distribution's pgvector package for the server's PostgreSQL version.",
    { cause: error, details: { migration: migration.version } },
  );
}

async function migrateOnce(executor: SqlExecutor, options: MigrateOptions): Promise<number[]> {
  const { migrations, databaseLabel } = options;
  const latest = migrations.at(-1)?.version ?? 0;
  return executor.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [LOCK_KEY]);
    await options.prepare?.(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS repolens_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const applied = await tx.query<AppliedRow>(
      'SELECT version, name, checksum FROM repolens_migrations ORDER BY version',
    );
    const newest = applied.at(-1);
    if (newest !== undefined && newest.version > latest) {
      throw new RepolensError(
        MigrationErrorCodes.databaseNewer,
        `${databaseLabel} is at schema version ${newest.version} (${newest.name}), newer than this repolens ` +
          `knows (version ${latest}); upgrade repolens, or point it at another database`,
        { details: { databaseVersion: newest.version, codeVersion: latest } },
      );
    }
    const byVersion = new Map(applied.map((row) => [row.version, row]));
    const done: number[] = [];
    for (const migration of migrations) {
      const checksum = checksumOf(migration);
      const row = byVersion.get(migration.version);
      if (row !== undefined) {
        if (row.checksum !== checksum) {
          throw new RepolensError(
            MigrationErrorCodes.migrationModified,
            `migration ${migration.version} (${migration.name}) in ${databaseLabel} was applied from different SQL ` +
              '(checksum mismatch); applied migrations must never be edited',
            { details: { migration: migration.version } },
          );
        }
        continue;
      }
      try {
        await tx.exec(migration.sql);
      } catch (error: unknown) {
        const state = sqlState(error);
        if (state !== undefined && EXTENSION_NOT_AVAILABLE.has(state) && /CREATE EXTENSION/i.test(migration.sql)) {
          throw extensionMissing(error, migration, databaseLabel);
        }
        throw error;
      }
      await tx.query('INSERT INTO repolens_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        checksum,
      ]);
      done.push(migration.version);
    }
    return done;
  });
}

/** Applies what is pending; resolves to the versions applied now (empty when up to date). */
export async function runMigrations(executor: SqlExecutor, options: MigrateOptions): Promise<number[]> {
  checkOrder(options.migrations);
  try {
    return await migrateOnce(executor, options);
  } catch (error: unknown) {
    const state = sqlState(error);
    // The transaction rolled back; the other creator has finished, so a second pass succeeds.
    if (state !== undefined && DUPLICATE_OBJECT.has(state)) return migrateOnce(executor, options);
    throw error;
  }
}
