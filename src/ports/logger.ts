/**
 * Logger: the subset of pino's API repolens uses, so modules take a logger without depending
 * on pino. `child` binds context (service, topic, repository) to every line.
 */
export interface LogFn {
  (object: Record<string, unknown>, message?: string): void;
  (message: string): void;
}

export interface Logger {
  readonly debug: LogFn;
  readonly info: LogFn;
  readonly warn: LogFn;
  readonly error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}
