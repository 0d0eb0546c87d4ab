/**
 * The logging surface the Kafka adapters need. pino's Logger satisfies it structurally, so the
 * composition root passes its (child) logger; without one, nothing is logged.
 */
export interface BusLogger {
  debug(bindings: Record<string, unknown>, message: string): void;
  info(bindings: Record<string, unknown>, message: string): void;
  warn(bindings: Record<string, unknown>, message: string): void;
  error(bindings: Record<string, unknown>, message: string): void;
  child(bindings: Record<string, unknown>): BusLogger;
}

const ignore = (): void => undefined;

export const silentLogger: BusLogger = {
  debug: ignore,
  info: ignore,
  warn: ignore,
  error: ignore,
  child: () => silentLogger,
};

/** For log bindings: errors as plain objects (pino serialises `err`). */
export function errorBindings(error: unknown): Record<string, unknown> {
  return { err: error };
}
