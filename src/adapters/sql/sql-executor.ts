/**
 * The little an adapter must provide for the shared SQL to run on it. Both engines speak
 * PostgreSQL; the differences (driver, pooling, how a transaction is held) stay behind this.
 */
export type SqlParam = string | number | boolean | null;

export interface SqlExecutor {
  /** One statement with `$n` parameters; resolves to its rows. */
  query<Row>(text: string, params?: readonly SqlParam[]): Promise<Row[]>;
  /** A script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it rejects.
   * Calling `transaction` on the executor `fn` gets runs in the same transaction.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
