/**
 * Helpers for tests that run against the real PostgreSQL server (see docs in INFRA: PostgreSQL 15
 * on 127.0.0.1:5432, trust auth). Test files share one database, so each file works in its own
 * uniquely named schema and drops it afterwards; database-wide objects such as extensions are
 * created under an advisory lock because parallel test files race for them.
 */
import { randomBytes } from 'node:crypto';
import { DatabaseError, Pool, escapeIdentifier, type PoolConfig } from 'pg';

/** `postgres` is the role every PostgreSQL installation has; trust auth needs no password. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** Schema that holds database-wide extensions, so dropping a test schema never drops them. */
export const EXTENSION_SCHEMA = 'public';

// A failing connect should fail the test with a message, not hang until vitest's timeout.
const CONNECT_TIMEOUT_MS = 10_000;

// PostgreSQL truncates identifiers beyond NAMEDATALEN - 1 bytes; a truncated name could collide.
const MAX_IDENTIFIER_LENGTH = 63;

export function databaseUrl(): string {
  const fromEnv = process.env['DATABASE_URL'];
  return fromEnv !== undefined && fromEnv.trim() !== '' ? fromEnv.trim() : DEFAULT_DATABASE_URL;
}

/**
 * A schema name unique across processes and runs: the prefix is reduced to `[a-z0-9_]` so the
 * name never needs quoting (it also goes into `search_path` inside a connection URL).
 */
export function uniqueSchemaName(prefix: string): string {
  const suffix = `${process.pid.toString(36)}_${randomBytes(5).toString('hex')}`;
  let base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (base === '') base = 'test';
  // Identifiers must not start with a digit, and a fixed marker makes leftovers easy to find.
  base = `t_${base}`.slice(0, MAX_IDENTIFIER_LENGTH - suffix.length - 1);
  return `${base}_${suffix}`;
}

function redactPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

/** `url` with `search_path` set through the startup `options`, keeping options already there. */
export function withSearchPath(url: string, searchPath: readonly string[]): string {
  const parsed = new URL(url);
  const setting = `-c search_path=${searchPath.join(',')}`;
  const existing = parsed.searchParams.get('options');
  parsed.searchParams.set('options', existing === null ? setting : `${existing} ${setting}`);
  return parsed.toString();
}

export interface TestSchema {
  /** Unquoted schema name; safe to interpolate, `[a-z0-9_]` only. */
  readonly schema: string;
  /**
   * Connection string whose sessions have `search_path` = the schema, then `public` (where
   * extension types such as `vector` live). Hand it to code under test that takes a URL.
   */
  readonly url: string;
  /** The shared pool for this schema, created on first use and closed by `drop()`. */
  pool(): Pool;
  /** An extra pool on `url`; it is closed by `drop()` too, so callers need not end it. */
  createPool(config?: Omit<PoolConfig, 'connectionString'>): Pool;
  /** Closes every pool made here, then drops the schema with everything in it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh schema for one test file. Pair it with `afterAll(() => schema.drop())`.
 */
export async function createTestSchema(prefix: string): Promise<TestSchema> {
  const baseUrl = databaseUrl();
  const schema = uniqueSchemaName(prefix);
  const url = withSearchPath(baseUrl, [schema, EXTENSION_SCHEMA]);
  const quoted = escapeIdentifier(schema);

  try {
    await withPool(baseUrl, async (admin) => {
      await admin.query(`CREATE SCHEMA ${quoted}`);
    });
  } catch (error: unknown) {
    // The first query is where a down server or a wrong DATABASE_URL shows; say where we looked.
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `cannot create test schema ${schema} on ${redactPassword(baseUrl)} (DATABASE_URL): ${reason}. ` +
        'Is PostgreSQL running? `sudo npm run pgvector:install` starts it and installs pgvector.',
      { cause: error },
    );
  }

  const pools: Pool[] = [];
  let shared: Pool | undefined;
  let dropped: Promise<void> | undefined;

  const createPool = (config: Omit<PoolConfig, 'connectionString'> = {}): Pool => {
    if (dropped !== undefined) throw new Error(`test schema ${schema} was already dropped`);
    const pool = new Pool({
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      ...config,
      connectionString: url,
    });
    pools.push(pool);
    return pool;
  };

  const drop = async (): Promise<void> => {
    // The schema cannot go while our own sessions may still hold locks in it; a pool that fails
    // to end must not keep the schema alive.
    await Promise.allSettled(pools.map((pool) => pool.end()));
    await withPool(baseUrl, async (admin) => {
      await admin.query(`DROP SCHEMA IF EXISTS ${quoted} CASCADE`);
    });
  };

  return {
    schema,
    url,
    pool: () => {
      shared ??= createPool();
      return shared;
    },
    createPool,
    drop: () => {
      // Memoised so afterAll and an explicit call in a test cannot race to drop twice.
      dropped ??= drop();
      return dropped;
    },
  };
}

/** Runs `fn` with a short-lived pool on `url` and always ends the pool afterwards. */
export async function withPool<T>(
  url: string,
  fn: (pool: Pool) => Promise<T>,
  config: Omit<PoolConfig, 'connectionString'> = {},
): Promise<T> {
  const pool = new Pool({ connectionTimeoutMillis: CONNECT_TIMEOUT_MS, max: 2, ...config, connectionString: url });
  try {
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

// 23505: two CREATE EXTENSIONs both passed IF NOT EXISTS and collided on pg_extension's unique
// index; 42710: the same race surfacing as duplicate_object. Either way the extension exists.
const DUPLICATE_CODES: ReadonlySet<string> = new Set(['23505', '42710']);

// No control file on the server, i.e. the extension is not installed at all: PostgreSQL 15+
// reports 0A000 (feature_not_supported), older servers 58P01 (undefined_file).
const NOT_AVAILABLE_CODES: ReadonlySet<string> = new Set(['0A000', '58P01']);

/**
 * `CREATE EXTENSION IF NOT EXISTS` in `public`, safe when test files run it concurrently.
 * Extensions are database-wide and IF NOT EXISTS is not atomic, hence the advisory lock; the
 * duplicate errors are still tolerated for creators that do not take our lock.
 */
export async function ensureExtension(pool: Pool, name: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`repolens-test:extension:${name}`]);
    await client.query(
      `CREATE EXTENSION IF NOT EXISTS ${escapeIdentifier(name)} WITH SCHEMA ${escapeIdentifier(EXTENSION_SCHEMA)}`,
    );
    await client.query('COMMIT');
  } catch (error: unknown) {
    // The transaction is aborted either way; a failing ROLLBACK must not hide the real error.
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof DatabaseError && error.code !== undefined && DUPLICATE_CODES.has(error.code)) return;
    if (error instanceof DatabaseError && error.code !== undefined && NOT_AVAILABLE_CODES.has(error.code)) {
      const fix =
        name === 'vector'
          ? 'run `sudo npm run pgvector:install` (scripts/install-pgvector.sh) on this machine'
          : `install the package that provides it for PostgreSQL`;
      throw new Error(`PostgreSQL has no "${name}" extension installed; ${fix}`, { cause: error });
    }
    throw error;
  } finally {
    client.release();
  }
}
