/**
 * The git adapter's errors: stable codes, and the reading of git's stderr (always in the C
 * locale, see git-env.ts) into them. Whether a failure is worth retrying is decided here, once,
 * through `retryable`, which is all `classifyFailure` (src/domain/retry-policy.ts) looks at.
 * Messages carry the redacted URL and a redacted tail of stderr, never credentials.
 */
import { RepolensError } from '../../domain/errors.js';
import { redactSecrets } from '../../domain/redaction.js';

export const GitErrorCodes = {
  /** The repository (or the commit asked for) does not exist, or the server hides it. Permanent. */
  notFound: 'REPOLENS_GIT_NOT_FOUND',
  /** The server wants credentials we do not have, or refused the ones given. Permanent. */
  authRequired: 'REPOLENS_GIT_AUTH_REQUIRED',
  /** The URL is malformed, unsafe or uses a protocol that is not allowed. Permanent. */
  invalidUrl: 'REPOLENS_GIT_INVALID_URL',
  /** The repository is larger than `maxRepositoryBytes`. Permanent. */
  tooLarge: 'REPOLENS_GIT_TOO_LARGE',
  /** HEAD has more files than `maxFiles`. Permanent. */
  tooManyFiles: 'REPOLENS_GIT_TOO_MANY_FILES',
  /** A git invocation ran longer than `timeoutMs` and was killed. Retryable. */
  timeout: 'REPOLENS_GIT_TIMEOUT',
  /** DNS, connection or server (5xx) trouble. Retryable. */
  unreachable: 'REPOLENS_GIT_UNREACHABLE',
  /** Any other git failure. Permanent: retrying would fail the same way. */
  failed: 'REPOLENS_GIT_FAILED',
} as const;

export type GitErrorCode = (typeof GitErrorCodes)[keyof typeof GitErrorCodes];

const RETRYABLE: ReadonlySet<GitErrorCode> = new Set([GitErrorCodes.timeout, GitErrorCodes.unreachable]);

/** Removes every listed secret literally, then URL userinfo and auth headers by pattern. */
export function scrub(text: string, secrets: readonly string[] = []): string {
  let out = text;
  // Very short secrets would blank out ordinary words; the patterns still cover their usual places.
  for (const secret of secrets) if (secret.length >= 3) out = out.split(secret).join('***');
  return redactSecrets(out);
}

export function gitError(
  code: GitErrorCode,
  message: string,
  details: Readonly<Record<string, unknown>> = {},
  cause?: unknown,
): RepolensError {
  return new RepolensError(code, message, { retryable: RETRYABLE.has(code), details, cause });
}

// Checked in this order: "access denied or repository not exported" (git daemon) is a not-found,
// and ssh's "Permission denied (publickey)" comes with the generic "Could not read from remote".
const PATTERNS: ReadonlyArray<readonly [GitErrorCode, RegExp]> = [
  [
    GitErrorCodes.notFound,
    /repository '[^']*' not found|does not appear to be a git repository|repository not exported|no such repository|repository not found|returned error: 404|HTTP 404|couldn't find remote ref|not our ref/i,
  ],
  [
    GitErrorCodes.authRequired,
    /could not read (username|password)|authentication failed|returned error: 40[13]|HTTP 40[13]|permission denied \(|access denied|terminal prompts disabled|invalid credentials/i,
  ],
  [
    GitErrorCodes.invalidUrl,
    /transport '[^']*' not allowed|unable to find remote helper|protocol '?[^ ]*'? (is )?not supported|bad\/illegal format|not a valid (url|ref)|unsupported protocol|strange hostname|strange pathname/i,
  ],
  [
    GitErrorCodes.unreachable,
    /could not resolve host|unable to look up|name or service not known|temporary failure in name resolution|connection refused|connection reset|connection timed out|failed to connect|unable to connect|couldn't connect|network is unreachable|no route to host|returned error: 5\d\d|HTTP 5\d\d|remote end hung up|early EOF|RPC failed|transfer closed|operation timed out|SSL|gnutls|TLS connection|could not read from remote repository|unexpected disconnect/i,
  ],
];

/** What a user should read first for each failure, before git's own words. */
export const FAILURE_LEADS: Readonly<Record<GitErrorCode, string>> = {
  [GitErrorCodes.notFound]: 'repository not found (or not shared with this machine)',
  [GitErrorCodes.authRequired]: 'the repository needs credentials repolens was not given',
  [GitErrorCodes.invalidUrl]: 'git refused the URL',
  [GitErrorCodes.tooLarge]: 'the repository is larger than the limit',
  [GitErrorCodes.tooManyFiles]: 'the repository has more files than the limit',
  [GitErrorCodes.timeout]: 'git took longer than the time limit',
  [GitErrorCodes.unreachable]: 'the git server could not be reached',
  [GitErrorCodes.failed]: 'git failed',
};

/** The code for a failed git run, read from its stderr. */
export function classifyStderr(stderr: string): GitErrorCode {
  for (const [code, pattern] of PATTERNS) if (pattern.test(stderr)) return code;
  return GitErrorCodes.failed;
}

/** The last meaningful lines of stderr (progress lines dropped), scrubbed, for messages and logs. */
export function stderrSummary(stderr: string, secrets: readonly string[] = [], maxChars = 600): string {
  const lines = stderr
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter(
      (line) => line !== '' && !/^(remote: )?[A-Za-z ]+:\s+\d+% \(/.test(line) && !line.startsWith('Cloning into'),
    );
  const text = scrub(lines.join(' | '), secrets);
  return text.length <= maxChars ? text : `…${text.slice(text.length - maxChars)}`;
}
