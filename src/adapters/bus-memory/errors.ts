/** The errors the in-process broker raises, with the codes of src/domain/errors.ts. */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';

export function unknownTopicError(topic: string): RepolensError {
  return new RepolensError(
    ErrorCodes.inputInvalid,
    `topic "${topic}" does not exist on the in-process broker (topics are not auto-created: create it with BusAdmin.createTopics)`,
    { details: { topic } },
  );
}

export function invalidArgumentError(message: string, details: Readonly<Record<string, unknown>> = {}): RepolensError {
  return new RepolensError(ErrorCodes.inputInvalid, message, { details });
}

export function closedError(what: string): RepolensError {
  return new RepolensError(ErrorCodes.unavailable, `${what} is closed`, { details: { client: what } });
}
