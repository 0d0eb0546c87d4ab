/**
 * GitHub (and GitHub Enterprise Server): an organization's repositories
 * (`GET /orgs/{org}/repos`), or a user's (`GET /users/{username}/repos`) when no organization
 * has that name. Token as `Authorization: Bearer`. Pages follow `Link: rel="next"`. Rate limits
 * as documented: 403/429 with `X-RateLimit-Remaining: 0` waits until `X-RateLimit-Reset`,
 * `Retry-After` waits that long, a bare 429 waits a minute; a page that spends the quota waits
 * for the reset before the next one. Fields: `clone_url`, `archived`, `fork`,
 * `stargazers_count`, `pushed_at`.
 */
import { isRepolensError } from '../../../domain/errors.js';
import {
  fetchAllPages,
  ForgeErrorCodes,
  linkNext,
  resetHeaderWaitMs,
  retryAfterMs,
  type ForgeRequest,
} from './forge-client.js';
import { apiBase, collectRepositories, type ForgeListOptions, type ForgeRepository } from './forge-repository.js';

export const GITHUB_API = 'https://api.github.com';

function githubApiBase(baseUrl: string | undefined): URL {
  if (baseUrl === undefined) return new URL(`${GITHUB_API}/`);
  const host = apiBase(baseUrl, '').hostname.toLowerCase();
  if (host === 'github.com' || host === 'www.github.com' || host === 'api.github.com') return new URL(`${GITHUB_API}/`);
  // GitHub Enterprise Server serves its REST API under /api/v3.
  return apiBase(baseUrl, '/api/v3');
}

export function githubRateLimitWaitMs(response: Response, now: number): number | undefined {
  if (response.status !== 403 && response.status !== 429) return undefined;
  const retryAfter = retryAfterMs(response, now);
  if (retryAfter !== undefined) return retryAfter;
  if (response.headers.get('x-ratelimit-remaining') === '0') {
    return resetHeaderWaitMs(response, 'x-ratelimit-reset', now) ?? 60_000;
  }
  // A secondary limit without headers: the documented advice is to wait at least a minute.
  return response.status === 429 ? 60_000 : undefined;
}

function request(url: URL, options: ForgeListOptions): ForgeRequest {
  return {
    url,
    forge: 'github',
    headers: {
      Accept: 'application/vnd.github+json',
      'X-GitHub-Api-Version': '2022-11-28',
      'User-Agent': 'repolens',
      ...(options.token === undefined ? {} : { Authorization: `Bearer ${options.token}` }),
    },
    ...(options.token === undefined ? {} : { token: options.token }),
    nextPage: (response) => linkNext(response),
    rateLimitWaitMs: githubRateLimitWaitMs,
    quotaExhaustedWaitMs: (response, now) =>
      response.headers.get('x-ratelimit-remaining') === '0'
        ? resetHeaderWaitMs(response, 'x-ratelimit-reset', now)
        : undefined,
  };
}

/** Repositories of a GitHub organization, or of a user when no organization has the name. */
export async function listGithubRepositories(owner: string, options: ForgeListOptions): Promise<ForgeRepository[]> {
  const base = githubApiBase(options.baseUrl);
  const name = encodeURIComponent(owner);
  let pages: unknown[];
  try {
    pages = await fetchAllPages(request(new URL(`orgs/${name}/repos?type=all&per_page=100`, base), options), options);
  } catch (error) {
    if (!isRepolensError(error) || error.code !== ForgeErrorCodes.notFound) throw error;
    pages = await fetchAllPages(
      request(new URL(`users/${name}/repos?type=owner&per_page=100`, base), options),
      options,
    );
  }
  return collectRepositories(
    pages,
    (item) => ({
      cloneUrl: item.clone_url,
      fullName: item.full_name,
      archived: item.archived,
      fork: item.fork === true,
      stars: item.stargazers_count,
      activityAt: item.pushed_at,
    }),
    'github',
    options,
  );
}
