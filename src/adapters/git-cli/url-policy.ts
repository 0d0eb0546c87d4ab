/**
 * Which repository URLs reach git, and in what form (DESIGN.md §3: URLs are hostile input).
 * Refused before git runs: a leading `-` (option injection), `<transport>::<address>` (remote
 * helpers such as `ext::` run commands), control characters, a host that is empty or starts with
 * `-`, query strings and fragments, protocols not allowed, and local paths or `file://` unless
 * local clones are enabled. Credentials written into an http(s) URL are taken out of it: git gets
 * the URL without them (so they are in no argv, no `.git/config`, no message) and they travel as
 * an HTTP header through the environment instead (git-env.ts).
 */
import { createHash } from 'node:crypto';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { GitErrorCodes, gitError } from './errors.js';

export type GitProtocol = 'https' | 'http' | 'ssh' | 'git' | 'file';

export interface RepositoryUrlPolicy {
  readonly allowedProtocols: readonly string[];
  readonly allowLocal: boolean;
}

export interface ParsedRepositoryUrl {
  /** What git is given (after `--`): no password, no token. */
  readonly gitUrl: string;
  /** Safe to log and to put in messages. */
  readonly display: string;
  readonly protocol: GitProtocol;
  /** The URL (without userinfo) handed to the credentials callback; undefined for scp-like ssh. */
  readonly url: URL | undefined;
  /** Basic-auth credentials written into the URL itself, if any. */
  readonly inlineCredentials: { readonly username: string; readonly password: string } | undefined;
  /** Workspace directory name: a readable slug plus a hash of the URL. */
  readonly directoryName: string;
}

const MAX_URL_LENGTH = 2048;
const HELPER_SYNTAX = /^[A-Za-z][A-Za-z0-9+.-]*::/;
// `[user@]host:path` with no `/` before the colon is how git spells ssh without a scheme.
const SCP_LIKE = /^(?:([A-Za-z0-9._~-]+)@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/;
const KNOWN: readonly GitProtocol[] = ['https', 'http', 'ssh', 'git', 'file'];

function refuse(input: string, reason: string): never {
  // The input may hold a password; show it only through the patterns that strip userinfo.
  const shown = input.length > 200 ? `${input.slice(0, 200)}…` : input;
  throw gitError(GitErrorCodes.invalidUrl, `refusing repository URL "${stripUserinfo(shown)}": ${reason}`, {
    reason,
  });
}

/** `scheme://user:pass@host` → `scheme://host`, also for strings that do not parse as URLs. */
export function stripUserinfo(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}

export function directoryNameFor(key: string): string {
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const slug = key
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .toLowerCase()
    .replace(/\.git$/, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(-48)
    .replace(/^-+/, '');
  return `${slug === '' ? 'repo' : slug}-${hash}`;
}

function protocolAllowed(protocol: GitProtocol, policy: RepositoryUrlPolicy): boolean {
  if (protocol === 'file') return policy.allowLocal;
  return policy.allowedProtocols.includes(protocol);
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function parseScpLike(input: string, policy: RepositoryUrlPolicy): ParsedRepositoryUrl | undefined {
  const match = SCP_LIKE.exec(input);
  if (match === null) return undefined;
  const host = match[2] as string;
  const path = match[3] as string;
  if (host.startsWith('-') || path.startsWith('-')) refuse(input, 'host and path must not start with "-"');
  if (!protocolAllowed('ssh', policy)) refuse(input, 'protocol "ssh" is not allowed');
  return {
    gitUrl: input,
    display: input,
    protocol: 'ssh',
    url: undefined,
    inlineCredentials: undefined,
    directoryName: directoryNameFor(`ssh://${host.toLowerCase()}/${path.replace(/^\/+/, '')}`),
  };
}

/** Validates `input` and returns the forms git and logs need; throws `invalidUrl` otherwise. */
export function parseRepositoryUrl(input: string, policy: RepositoryUrlPolicy): ParsedRepositoryUrl {
  if (typeof input !== 'string' || input === '') refuse(String(input), 'the URL is empty');
  if (input.length > MAX_URL_LENGTH) refuse(input, `the URL is longer than ${MAX_URL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(input)) refuse(input, 'the URL contains whitespace or control characters');
  if (input.startsWith('-')) refuse(input, 'a URL must not start with "-" (it would be read as an option)');
  if (HELPER_SYNTAX.test(input)) refuse(input, 'remote-helper syntax "<transport>::<address>" is not allowed');

  if (input.startsWith('/') || input.startsWith('.') || input.startsWith('~')) {
    if (!policy.allowLocal) refuse(input, 'local paths are not allowed (local clones are disabled)');
    if (!isAbsolute(input)) refuse(input, 'a local path must be absolute');
    return parseRepositoryUrl(pathToFileURL(input).href, policy);
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    const scp = parseScpLike(input, policy);
    if (scp !== undefined) return scp;
    refuse(input, 'not a URL git can clone (expected https://, ssh://, git:// or user@host:path)');
  }

  let url: URL;
  try {
    url = new URL(input);
  } catch {
    refuse(input, 'the URL does not parse');
  }
  const scheme = url.protocol.replace(/:$/, '').toLowerCase();
  if (!(KNOWN as readonly string[]).includes(scheme)) refuse(input, `protocol "${scheme}" is not supported`);
  const protocol = scheme as GitProtocol;
  if (!protocolAllowed(protocol, policy)) {
    refuse(
      input,
      protocol === 'file'
        ? 'file:// URLs are not allowed (local clones are disabled)'
        : `protocol "${protocol}" is not allowed (allowed: ${policy.allowedProtocols.join(', ')})`,
    );
  }
  if (url.search !== '' || url.hash !== '') refuse(input, 'query strings and fragments are not allowed');
  if (protocol === 'file') {
    if (url.hostname !== '' && url.hostname !== 'localhost') refuse(input, 'a file:// URL must not name a host');
    if (url.username !== '' || url.password !== '') refuse(input, 'a file:// URL must not carry credentials');
  } else {
    if (url.hostname === '') refuse(input, 'the URL has no host');
    if (url.hostname.startsWith('-')) refuse(input, 'the host must not start with "-"');
    if (url.pathname === '/' || url.pathname === '') refuse(input, 'the URL names no repository path');
  }

  let inlineCredentials: ParsedRepositoryUrl['inlineCredentials'];
  if (protocol === 'http' || protocol === 'https') {
    if (url.username !== '' || url.password !== '') {
      inlineCredentials = { username: decode(url.username), password: decode(url.password) };
    }
    url.username = '';
    url.password = '';
  } else if (protocol === 'ssh') {
    // The ssh user name is part of the address (git@host), not a secret; a password cannot be used.
    url.password = '';
  } else {
    url.username = '';
    url.password = '';
  }
  const gitUrl = url.href;
  const key = gitUrl.replace(/\/+$/, '');
  return {
    gitUrl,
    display: gitUrl,
    protocol,
    url: new URL(gitUrl),
    inlineCredentials,
    directoryName: directoryNameFor(key.replace(/^ssh:\/\/[^@/]+@/, 'ssh://')),
  };
}
