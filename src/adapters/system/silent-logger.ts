/** A logger that drops everything: for tests and library use without logging. */
import type { Logger } from '../../ports/logger.js';

const noop = (): void => undefined;

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
