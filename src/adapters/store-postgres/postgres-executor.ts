/** SqlExecutor on a pg Pool: queries on any pooled connection, transactions on one held client. */
import type { Pool, PoolClient } from 'pg';
import type { SqlExecutor, SqlParam } from '../sql/index.js';
import { isConnectionFailure, mapPostgresError } from './connection-errors.js';

function clientExecutor(client: PoolClient, databaseLabel: string): SqlExecutor {
  const self: SqlExecutor = {
    query: async <Row>(text: string, params: readonly SqlParam[] = []) => {
      try {
        const result = await client.query(text, [...params]);
        return result.rows as Row[];
      } catch (error: unknown) {
        throw mapPostgresError(error, databaseLabel);
      }
    },
    exec: async (script) => {
      try {
        await client.query(script);
      } catch (error: unknown) {
        throw mapPostgresError(error, databaseLabel);
      }
    },
    // Already inside one: the caller's work joins it.
    transaction: async (fn) => fn(self),
  };
  return self;
}

export function poolExecutor(pool: Pool, databaseLabel: string): SqlExecutor {
  return {
    query: async <Row>(text: string, params: readonly SqlParam[] = []) => {
      try {
        const result = await pool.query(text, [...params]);
        return result.rows as Row[];
      } catch (error: unknown) {
        throw mapPostgresError(error, databaseLabel);
      }
    },
    exec: async (script) => {
      try {
        await pool.query(script);
      } catch (error: unknown) {
        throw mapPostgresError(error, databaseLabel);
      }
    },
    transaction: async (fn) => {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error: unknown) {
        throw mapPostgresError(error, databaseLabel);
      }
      // A client whose connection failed must not go back to the pool.
      let discard = false;
      // A held client whose connection dies emits 'error' besides failing its query; unheard, that
      // event would crash the process. The failing query already reports the outage.
      const onConnectionError = (): void => {
        discard = true;
      };
      client.on('error', onConnectionError);
      try {
        const tx = clientExecutor(client, databaseLabel);
        await tx.query('BEGIN');
        const result = await fn(tx);
        await tx.query('COMMIT');
        return result;
      } catch (error: unknown) {
        await client.query('ROLLBACK').catch(() => {
          discard = true;
        });
        if (isConnectionFailure(error) || isConnectionFailure((error as { cause?: unknown } | null)?.cause))
          discard = true;
        throw error;
      } finally {
        client.off('error', onConnectionError);
        client.release(discard);
      }
    },
  };
}
