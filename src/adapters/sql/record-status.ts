/**
 * Records one status message (README.md: idempotency and monotonic rules). The rules live in the
 * SQL function `repolens_record_status` (migration 0007): one round trip per message, one
 * statement and so one transaction, holding a per-repository advisory lock so that two
 * deliveries of messages for the same repository (a rebalance overlap) apply one after the other.
 */
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { StatusMessageSchema, type StatusMessage } from '../../contracts/status-message.js';
import type { RecordStatusResult, StatusMeta } from '../../ports/store.js';
import type { SqlExecutor } from './sql-executor.js';

const MAX_MESSAGE_KEY_LENGTH = 1024;

function validate(message: StatusMessage, meta: StatusMeta): StatusMessage {
  const parsed = StatusMessageSchema.safeParse(message);
  if (!parsed.success) {
    throw new RepolensError(ErrorCodes.contractInvalid, `status message is invalid: ${parsed.error.message}`, {
      cause: parsed.error,
    });
  }
  if (meta.messageKey === '' || meta.messageKey.length > MAX_MESSAGE_KEY_LENGTH) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `status messageKey must be 1-${MAX_MESSAGE_KEY_LENGTH} characters`,
    );
  }
  return parsed.data;
}

export async function recordStatus(
  executor: SqlExecutor,
  input: StatusMessage,
  meta: StatusMeta,
): Promise<RecordStatusResult> {
  const message = validate(input, meta);
  const [result] = await executor.query<{ stored: boolean; current_changed: boolean }>(
    'SELECT stored, current_changed FROM repolens_record_status($1, $2, $3, $4, $5, $6, $7::timestamptz, $8, $9)',
    [
      meta.messageKey,
      message.repository_url,
      message.status,
      message.details.progress,
      message.details.stage_duration,
      message.details.error ?? null,
      message.timestamp,
      meta.runId ?? null,
      meta.commit ?? null,
    ],
  );
  return { stored: result?.stored === true, currentChanged: result?.current_changed === true };
}
