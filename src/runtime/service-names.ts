/** The services a process can run, by the names `repolens worker --services` takes. */
import { ErrorCodes, RepolensError } from '../domain/errors.js';

export const SERVICE_NAMES = ['clone', 'select', 'rag', 'analyze', 'database'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function parseServiceNames(text: string): ServiceName[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  const unknown = names.filter((name) => !(SERVICE_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new RepolensError(
      ErrorCodes.inputInvalid,
      `--services takes a comma-separated list of ${SERVICE_NAMES.join(', ')}; got "${text}"`,
    );
  }
  return [...new Set(names)] as ServiceName[];
}
