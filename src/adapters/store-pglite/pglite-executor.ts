/** SqlExecutor on PGlite: one in-process connection, so a transaction simply holds it. */
import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { SqlExecutor, SqlParam } from '../sql/index.js';

type Queryable = Pick<PGlite | Transaction, 'query' | 'exec'>;

function wrap(target: Queryable, transaction: SqlExecutor['transaction']): SqlExecutor {
  return {
    query: async <Row>(text: string, params: readonly SqlParam[] = []) => {
      const result = await target.query<Row>(text, [...params]);
      return result.rows;
    },
    exec: async (script) => {
      await target.exec(script);
    },
    transaction,
  };
}

export function pgliteExecutor(db: PGlite): SqlExecutor {
  return wrap(db, (fn) =>
    db.transaction(async (tx) => {
      const inner: SqlExecutor = wrap(tx, (nested) => nested(inner));
      return fn(inner);
    }),
  );
}
