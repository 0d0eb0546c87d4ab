/**
 * The HTTP loop the forge listers share: follow pagination, wait out rate limits, and revalidate
 * pages with ETags. A forge's answers are untrusted: the next-page link must stay on the API's
 * origin (the token is never sent anywhere else), pages and page counts are bounded, and the
 * token appears in no log line and no error message.
 */
import { createHash } from 'node:crypto';
import { ErrorCodes, RepolensError } from '../../../domain/errors.js';
import type { Clock } from '../../../ports/clock.js';
import type { Logger } from '../../../ports/logger.js';

/** What a listing remembers per page between runs: enough to answer a 304 from the cache. */
export interface CachedPage {
  readonly etag: string;
  readonly body: string;
  readonly next: string | undefined;
}

/** A Map is enough; anything with get/set (a file- or database-backed cache) works too. */
export interface EtagCache {
  get(key: string): CachedPage | undefined;
  set(key: string, value: CachedPage): unknown;
}

export interface ForgeClientOptions {
  /** Injected so tests serve pages from a local server; default the global fetch. */
  readonly fetch?: typeof fetch;
  /** `sleep` waits out rate limits; `now` reads reset times. */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly cache?: EtagCache;
  /** Longest single rate-limit wait; a longer one fails with REPOLENS_UNAVAILABLE (default 15 min). */
  readonly maxRateLimitWaitMs?: number;
  /** Rate-limit waits per listing before giving up (default 5). */
  readonly maxRateLimitWaits?: number;
  /** Most pages read per listing (default 500). */
  readonly maxPages?: number;
  /** Per request (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface ForgeRequest {
  /** First page, absolute, on the API origin. */
  readonly url: URL;
  /** Auth and Accept headers of the forge. Never logged. */
  readonly headers: Readonly<Record<string, string>>;
  /** Part of the cache key so two tokens (which may see different repositories) never share pages. */
  readonly token?: string;
  /** The next page's URL from a response, or undefined on the last page. */
  readonly nextPage: (response: Response, current: URL) => string | undefined;
  /** How long to wait before retrying this response, or undefined when it is not a rate limit. */
  readonly rateLimitWaitMs: (response: Response, now: number) => number | undefined;
  /** Wait to take before the next page when this (successful) response spent the quota. */
  readonly quotaExhaustedWaitMs?: (response: Response, now: number) => number | undefined;
  /** Forge name for messages. */
  readonly forge: string;
}

const MAX_PAGE_BYTES = 32 * 1024 * 1024;

export const ForgeErrorCodes = {
  notFound: 'REPOLENS_NOT_FOUND',
  accessDenied: 'REPOLENS_FORGE_ACCESS_DENIED',
  badResponse: 'REPOLENS_FORGE_BAD_RESPONSE',
} as const;

/** `Link: <url>; rel="next", …` → the `next` URL. */
export function linkNext(response: Response): string | undefined {
  const link = response.headers.get('link');
  if (link === null) return undefined;
  for (const part of link.split(',')) {
    const match = /<([^>]*)>\s*;(.*)$/.exec(part.trim());
    if (match !== null && /\brel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?/i.test(match[2] as string)) return match[1];
  }
  return undefined;
}

/** Seconds in `Retry-After` (or an HTTP date) → ms from now. */
export function retryAfterMs(response: Response, now: number): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** An epoch-seconds reset header → ms from now (at least 0). */
export function resetHeaderWaitMs(response: Response, header: string, now: number): number | undefined {
  const value = response.headers.get(header);
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Math.max(0, Number(value.trim()) * 1000 - now);
}

function cacheKey(url: string, token: string | undefined): string {
  const identity = token === undefined ? 'anonymous' : createHash('sha256').update(token).digest('hex').slice(0, 16);
  return `${identity} ${url}`;
}

function shown(url: URL): string {
  return `${url.origin}${url.pathname}${url.search}`;
}

async function readBody(response: Response, url: URL, forge: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_PAGE_BYTES) {
    throw new RepolensError(
      ForgeErrorCodes.badResponse,
      `${forge}: page ${shown(url)} is larger than ${MAX_PAGE_BYTES} bytes`,
    );
  }
  const text = await response.text();
  if (text.length > MAX_PAGE_BYTES) {
    throw new RepolensError(
      ForgeErrorCodes.badResponse,
      `${forge}: page ${shown(url)} is larger than ${MAX_PAGE_BYTES} bytes`,
    );
  }
  return text;
}

function statusError(response: Response, url: URL, forge: string): RepolensError {
  const where = `${forge}: ${response.status} ${response.statusText} from ${shown(url)}`;
  if (response.status === 404)
    return new RepolensError(ForgeErrorCodes.notFound, `${where} (no such owner, or not visible to this token)`);
  if (response.status === 401 || response.status === 403) {
    return new RepolensError(ForgeErrorCodes.accessDenied, `${where} (the token is missing, wrong or lacks access)`);
  }
  if (response.status >= 500) return new RepolensError(ErrorCodes.unavailable, where, { retryable: true });
  return new RepolensError(ForgeErrorCodes.badResponse, where);
}

/** Every page's parsed JSON body, in order. */
export async function fetchAllPages(request: ForgeRequest, options: ForgeClientOptions): Promise<unknown[]> {
  const doFetch = options.fetch ?? fetch;
  const { clock, cache, logger } = options;
  const maxWait = options.maxRateLimitWaitMs ?? 15 * 60_000;
  const maxWaits = options.maxRateLimitWaits ?? 5;
  const maxPages = options.maxPages ?? 500;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const origin = request.url.origin;
  const pages: unknown[] = [];
  const seen = new Set<string>();
  let waits = 0;

  const waitOut = async (ms: number, url: URL, why: string): Promise<void> => {
    if (ms > maxWait || ++waits > maxWaits) {
      throw new RepolensError(
        ErrorCodes.unavailable,
        `${request.forge}: rate limited at ${shown(url)}; the wait (${Math.ceil(ms / 1000)} s) exceeds the limit of ${Math.ceil(maxWait / 1000)} s or ${maxWaits} waits`,
        { retryable: true, details: { waitMs: ms } },
      );
    }
    logger.warn({ forge: request.forge, waitMs: ms, url: shown(url) }, `rate limited (${why}); waiting`);
    await clock.sleep(ms, options.signal);
  };

  let next: string | undefined = request.url.href;
  while (next !== undefined) {
    const url: URL = new URL(next);
    if (url.origin !== origin) {
      throw new RepolensError(
        ForgeErrorCodes.badResponse,
        `${request.forge}: next page ${url.origin} leaves the API origin ${origin}; refusing to send the token there`,
      );
    }
    if (seen.has(url.href))
      throw new RepolensError(ForgeErrorCodes.badResponse, `${request.forge}: pagination loops at ${shown(url)}`);
    if (seen.size >= maxPages)
      throw new RepolensError(ForgeErrorCodes.badResponse, `${request.forge}: more than ${maxPages} pages`);

    const key = cacheKey(url.href, request.token);
    const cached = cache?.get(key);
    const headers: Record<string, string> = { ...request.headers };
    if (cached !== undefined) headers['If-None-Match'] = cached.etag;
    const signal =
      options.signal === undefined
        ? AbortSignal.timeout(timeoutMs)
        : AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)]);
    let response: Response;
    try {
      response = await doFetch(url, { headers, signal, redirect: 'error' });
    } catch (error) {
      options.signal?.throwIfAborted();
      throw new RepolensError(ErrorCodes.unavailable, `${request.forge}: cannot reach ${shown(url)}`, {
        retryable: true,
        cause: error,
      });
    }

    const limitWait = response.ok ? undefined : request.rateLimitWaitMs(response, clock.now());
    if (limitWait !== undefined) {
      await response.body?.cancel();
      await waitOut(limitWait, url, `HTTP ${response.status}`);
      continue;
    }
    seen.add(url.href);
    let body: string;
    let nextPage: string | undefined;
    if (response.status === 304 && cached !== undefined) {
      await response.body?.cancel();
      body = cached.body;
      nextPage = cached.next;
    } else if (response.ok) {
      body = await readBody(response, url, request.forge);
      nextPage = request.nextPage(response, url);
      const etag = response.headers.get('etag');
      if (cache !== undefined && etag !== null) cache.set(key, { etag, body, next: nextPage });
    } else {
      await response.body?.cancel();
      throw statusError(response, url, request.forge);
    }
    try {
      pages.push(JSON.parse(body));
    } catch (error) {
      throw new RepolensError(ForgeErrorCodes.badResponse, `${request.forge}: ${shown(url)} did not return JSON`, {
        cause: error,
      });
    }
    next = nextPage === undefined ? undefined : new URL(nextPage, url).href;
    if (next !== undefined && response.ok) {
      const quotaWait = request.quotaExhaustedWaitMs?.(response, clock.now());
      if (quotaWait !== undefined && quotaWait > 0) await waitOut(quotaWait, url, 'quota spent');
    }
  }
  return pages;
}
