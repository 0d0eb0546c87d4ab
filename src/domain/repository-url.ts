/**
 * The normalized repository URL: the key of every message about a repository and its identity in
 * the database, so two spellings of one repository must give one string, and that string must be
 * safe to put anywhere (no credentials). Repository URLs are hostile input (DESIGN.md §3): what
 * git would read as an option or run as a command is refused here, before anything is published.
 *
 * Normal form, decided here:
 * - `scheme://[user@]host[:port]/path`, scheme and host lower-cased, default ports (https 443,
 *   http 80, ssh 22, git 9418) dropped, path case kept (only some forges ignore it), repeated `/`
 *   collapsed, `.git` suffix, trailing `/`, query and fragment removed.
 * - Credentials are removed: all userinfo for http(s) and git://; for ssh the user name is kept
 *   (it is part of the address, `git@github.com`, not a secret, and cloning needs it) but a
 *   password is dropped. So `https://tok@host/a/b` and `https://host/a/b` are one repository.
 * - scp-like `user@host:path` becomes `ssh://user@host/path` (`git+ssh://` and `ssh+git://` too),
 *   so `git@github.com:o/r.git` equals `ssh://git@github.com/o/r`. Limit: on a plain ssh server a
 *   relative scp path is relative to the user's home while `ssh://host/path` is absolute; forges
 *   treat both alike, which is where discovered repositories live.
 * - The same repository over https and over ssh stays two URLs: they are different clone sources.
 * - Local paths and `file://` only with `allowLocal`: resolved against `cwd`, symlinks resolved,
 *   and the directory must be a git repository (has `.git`) or a bare one (`HEAD` + `objects`);
 *   the result is an absolute `file:///…` URL (its path is kept exactly, `.git` included).
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RepolensError } from './errors.js';

export const INVALID_REPOSITORY_URL = 'REPOLENS_INVALID_REPOSITORY_URL';

/** Longest URL accepted (the message contract's bound on `repository_url`). */
export const MAX_REPOSITORY_URL_LENGTH = 2048;

export interface NormalizeOptions {
  /** Accept local paths and `file://` URLs (trusted, single-user use only). */
  readonly allowLocal: boolean;
  /** Directory relative local paths are resolved against; without it they are refused. */
  readonly cwd?: string;
}

export interface NormalizedRepositoryUrl {
  /** The normal form: message key and database identity. */
  readonly url: string;
  /** For people: the URL itself, or the local path for `file://`. Free of credentials. */
  readonly display: string;
}

const REMOTE_SCHEMES = ['https', 'http', 'ssh', 'git'] as const;
const DEFAULT_PORTS: Readonly<Record<string, string>> = { https: '443', http: '80', ssh: '22', git: '9418' };
/** Aliases git accepts for ssh. */
const SSH_ALIASES = new Set(['git+ssh', 'ssh+git']);
const SCHEME_PREFIX = /^([a-z][a-z0-9+.-]*):\/\//i;
/** `<transport>::<address>`: git runs remote helpers (`ext::` runs any command). */
const HELPER_SYNTAX = /^[a-z][a-z0-9+.-]*::/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const HOST_NAME = /^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)*$/;
const IPV6_HOST = /^\[[0-9a-f:.]+\]$/;
const SSH_USER = /^[A-Za-z0-9._~][A-Za-z0-9._~-]*$/;

function invalid(reason: string): never {
  // The input is never echoed: it may carry a password. Callers show `stripCredentials(input)`.
  throw new RepolensError(INVALID_REPOSITORY_URL, `invalid repository URL: ${reason}`, {
    retryable: false,
    details: { reason },
  });
}

/**
 * For logs and error output: removes userinfo (`scheme://user:pass@` → `scheme://`, a non-URL
 * `user:pass@host:path` → `***@host:path`) and secret-looking query values. Works on strings
 * that do not parse as URLs; keeps an ssh user name without a password (`git@host:path`).
 */
export function stripCredentials(url: string): string {
  let text = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  if (text === url && !SCHEME_PREFIX.test(url)) {
    const at = url.lastIndexOf('@');
    const slash = url.indexOf('/');
    if (at > 0 && (slash === -1 || at < slash) && !SSH_USER.test(url.slice(0, at))) {
      text = `***${url.slice(at)}`;
    }
  }
  return text.replace(
    /([?&#](?:access_token|token|password|private_token|api_key|apikey|key|secret)=)[^&#\s]*/gi,
    '$1***',
  );
}

function cleanPath(path: string): string {
  let cleaned = path.replace(/\/{2,}/g, '/').replace(/\/+$/, '');
  // Repeatedly, so the normal form is a fixed point (`r.git.git` → `r`).
  while (/\.git$/i.test(cleaned)) cleaned = cleaned.slice(0, -4).replace(/\/+$/, '');
  if (cleaned === '' || cleaned === '/') invalid('the URL names no repository path');
  if (cleaned.split('/').some((segment) => segment.startsWith('-'))) {
    invalid('a path segment starts with "-" (it could be read as an option)');
  }
  return cleaned.startsWith('/') ? cleaned : `/${cleaned}`;
}

function checkHost(host: string): string {
  const lowered = host.toLowerCase().replace(/\.$/, '');
  if (lowered === '') invalid('the URL has no host');
  if (lowered.startsWith('-')) invalid('the host starts with "-" (it could be read as an option)');
  if (!HOST_NAME.test(lowered) && !IPV6_HOST.test(lowered)) invalid('the host is not a valid host name or address');
  return lowered;
}

function checkSshUser(user: string): string {
  if (!SSH_USER.test(user)) invalid('the ssh user name is not valid (letters, digits, ".", "_", "~", "-")');
  return user;
}

function build(scheme: string, user: string | undefined, host: string, port: string, path: string): string {
  const url = `${scheme}://${user === undefined ? '' : `${user}@`}${host}${port === '' || port === DEFAULT_PORTS[scheme] ? '' : `:${port}`}${path}`;
  if (url.length > MAX_REPOSITORY_URL_LENGTH) invalid(`the URL is longer than ${MAX_REPOSITORY_URL_LENGTH} characters`);
  return url;
}

function normalizeScpLike(input: string): string | undefined {
  // git's rule: a colon before any slash, and no scheme, means `[user@]host:path` over ssh.
  const colon = input.indexOf(':');
  const slash = input.indexOf('/');
  if (colon <= 0 || (slash !== -1 && slash < colon)) return undefined;
  const authority = input.slice(0, colon);
  // `user:password@host:path` reads as host `user`; refuse it rather than keep the password.
  if (/^[^/]*@/.test(input.slice(colon + 1)) && !authority.includes('@')) {
    invalid('credentials are not allowed in an ssh address (user:password@host)');
  }
  const at = authority.lastIndexOf('@');
  const user = at === -1 ? undefined : checkSshUser(authority.slice(0, at));
  const host = checkHost(at === -1 ? authority : authority.slice(at + 1));
  const rawPath = input.slice(colon + 1).replace(/[?#].*$/, '');
  return build('ssh', user, host, '', cleanPath(rawPath));
}

function normalizeRemote(input: string, scheme: string): string {
  if (input.includes('\\')) invalid('the URL contains a backslash');
  let parsed: URL;
  try {
    parsed = new URL(input);
  } catch {
    invalid('the URL does not parse');
  }
  let user: string | undefined;
  if (scheme === 'ssh' && parsed.username !== '') {
    let decoded: string;
    try {
      decoded = decodeURIComponent(parsed.username);
    } catch {
      invalid('the ssh user name is not valid');
    }
    user = checkSshUser(decoded);
  }
  if (parsed.port === '0') invalid('port 0 is not a usable port');
  return build(scheme, user, checkHost(parsed.hostname), parsed.port, cleanPath(parsed.pathname));
}

function isGitRepository(dir: string): boolean {
  if (existsSync(join(dir, '.git'))) return true;
  try {
    return statSync(join(dir, 'HEAD')).isFile() && statSync(join(dir, 'objects')).isDirectory();
  } catch {
    return false;
  }
}

function normalizeLocal(path: string, cwd: string | undefined): NormalizedRepositoryUrl {
  if (path.startsWith('~')) invalid('"~" is not expanded: give the full path');
  if (!isAbsolute(path) && cwd === undefined) invalid('a relative local path needs a working directory');
  const absolute = resolve(cwd ?? '/', path);
  let real: string;
  try {
    real = realpathSync(absolute);
  } catch {
    invalid('the local path does not exist');
  }
  let isDirectory = false;
  try {
    isDirectory = statSync(real).isDirectory();
  } catch {
    // Unreadable counts as not a directory.
  }
  if (!isDirectory) invalid('the local path is not a directory');
  if (!isGitRepository(real)) invalid('the local path is not a git repository (no .git, nor HEAD and objects)');
  const url = pathToFileURL(real).href;
  if (url.length > MAX_REPOSITORY_URL_LENGTH) invalid(`the URL is longer than ${MAX_REPOSITORY_URL_LENGTH} characters`);
  return { url, display: real };
}

/** The normal form of a repository URL, or `RepolensError` `REPOLENS_INVALID_REPOSITORY_URL` naming what is wrong. */
export function normalizeRepositoryUrl(input: string, options: NormalizeOptions): NormalizedRepositoryUrl {
  if (typeof input !== 'string' || input === '') invalid('the URL is empty');
  if (input.length > MAX_REPOSITORY_URL_LENGTH)
    invalid(`the URL is longer than ${MAX_REPOSITORY_URL_LENGTH} characters`);
  if (CONTROL_CHARS.test(input)) invalid('the URL contains control characters');
  if (input.startsWith('-')) invalid('the URL starts with "-" (it would be read as an option)');
  if (HELPER_SYNTAX.test(input))
    invalid('"<transport>::<address>" remote-helper syntax (such as ext::) is not allowed');

  const schemeMatch = SCHEME_PREFIX.exec(input);
  if (schemeMatch !== null) {
    const scheme = (schemeMatch[1] as string).toLowerCase();
    if (scheme === 'file') {
      if (!options.allowLocal) invalid('file:// URLs are not allowed (local repositories are disabled)');
      let path: string;
      try {
        const parsed = new URL(input);
        if (parsed.hostname !== '' && parsed.hostname !== 'localhost') invalid('a file:// URL must not name a host');
        path = fileURLToPath(parsed);
      } catch (error) {
        if (error instanceof RepolensError) throw error;
        invalid('the file:// URL does not parse');
      }
      return normalizeLocal(path, options.cwd);
    }
    if (/\s/.test(input)) invalid('the URL contains whitespace');
    const effective = SSH_ALIASES.has(scheme) ? 'ssh' : scheme;
    if (!(REMOTE_SCHEMES as readonly string[]).includes(effective)) {
      invalid(`unsupported scheme "${scheme.slice(0, 20)}" (expected https, http, ssh or git)`);
    }
    const url = normalizeRemote(effective === scheme ? input : `ssh${input.slice(scheme.length)}`, effective);
    return { url, display: url };
  }

  const looksLocal = /^(?:\/|\.{1,2}(?:\/|$)|~)/.test(input);
  const hasWhitespace = /\s/.test(input);
  if (!looksLocal && !hasWhitespace) {
    const scp = normalizeScpLike(input);
    if (scp !== undefined) return { url: scp, display: scp };
  }
  if (!options.allowLocal) {
    if (looksLocal) invalid('local paths are not allowed (local repositories are disabled)');
    invalid(
      hasWhitespace
        ? 'the URL contains whitespace'
        : 'not a repository URL (expected https://, http://, ssh://, git:// or user@host:path)',
    );
  }
  return normalizeLocal(input, options.cwd);
}
