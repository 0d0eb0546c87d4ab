/** The Store port on PostgreSQL (distributed mode): a pg Pool, optionally confined to a schema. */
import { Pool, escapeIdentifier } from 'pg';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import type { Store } from '../../ports/store.js';
import { createSqlDatabase, createSqlStore, type Migration, type SqlDatabase } from '../sql/index.js';
import { poolExecutor } from './postgres-executor.js';

export interface PostgresStoreOptions {
  /** A `postgres://` URL. */
  readonly connectionString: string;
  /**
   * Keep repolens's tables in this schema (created by migrate()). Sessions get
   * `search_path = <schema>, public`: pgvector's types live in public.
   */
  readonly schema?: string;
  /** Most connections (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing with REPOLENS_UNAVAILABLE (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, so operators can tell repolens's sessions apart (default `repolens`). */
  readonly applicationName?: string;
  /** Default: the migrations repolens ships. For tests and tools. */
  readonly migrations?: readonly Migration[];
}

// Unquoted in search_path, so only names PostgreSQL would not fold or need quoting for.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function parseUrl(connectionString: string): URL {
  try {
    return new URL(connectionString);
  } catch (error: unknown) {
    throw new RepolensError(ErrorCodes.configInvalid, 'database URL is not a valid postgres:// URL', { cause: error });
  }
}

function labelOf(url: URL, schema: string | undefined): string {
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)';
  const where = `PostgreSQL database "${database}" on ${url.host || 'the local socket'}`;
  return schema === undefined ? where : `${where} (schema ${schema})`;
}

function withSearchPath(url: URL, schema: string): string {
  const copy = new URL(url);
  const setting = `-c search_path=${schema},public`;
  const existing = copy.searchParams.get('options');
  copy.searchParams.set('options', existing === null ? setting : `${existing} ${setting}`);
  return copy.toString();
}

/** Opens (does not migrate) the PostgreSQL database; every store view shares its pool. */
export function openPostgresDatabase(options: PostgresStoreOptions): SqlDatabase {
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new RepolensError(
      ErrorCodes.configInvalid,
      `database schema "${schema}" must be lower-case letters, digits and underscores, not starting with a digit`,
    );
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isInteger(poolSize) || poolSize < 1) {
    throw new RepolensError(ErrorCodes.configInvalid, `database pool size must be a positive integer, got ${poolSize}`);
  }
  const url = parseUrl(options.connectionString);
  const databaseLabel = labelOf(url, schema);
  const pool = new Pool({
    connectionString: schema === undefined ? options.connectionString : withSearchPath(url, schema),
    max: poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    // pg-pool's default closes a connection after 10 s idle, so work arriving in bursts (a
    // worker between batches) reconnected each time: a fork and a cold catalog cache in the
    // server, about 10-20 ms of its CPU per connection here.
    idleTimeoutMillis: 60_000,
    application_name: options.applicationName ?? 'repolens',
  });
  // An idle client losing its connection emits here; unhandled it would crash the process.
  // The pool drops that client, and the next query reports the outage as REPOLENS_UNAVAILABLE.
  pool.on('error', () => undefined);
  // A client can emit 'error' more than once when its connection dies (the server's FATAL
  // message, then the socket closing), and pg-pool listens only once per checkout. Every query
  // on a dead connection rejects and is reported as REPOLENS_UNAVAILABLE; the events themselves
  // carry nothing more and must not crash the process.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });

  return createSqlDatabase({
    executor: poolExecutor(pool, databaseLabel),
    databaseLabel,
    migrations: options.migrations,
    prepareMigration:
      schema === undefined
        ? undefined
        : async (tx) => {
            await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${escapeIdentifier(schema)}`);
          },
    close: () => pool.end(),
  });
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  return createSqlStore(openPostgresDatabase(options));
}
