/**
 * The SQLSTATE of a database error from either engine (both put it in `code`), or its cause's.
 * Every SQLSTATE has a digit; Node's errno codes (EPIPE) have none.
 */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(?=.*\d)[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
