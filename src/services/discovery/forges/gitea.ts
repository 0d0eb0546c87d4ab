/**
 * Gitea and Forgejo (same API): an organization's repositories (`GET /api/v1/orgs/{org}/repos`),
 * or a user's (`GET /api/v1/users/{username}/repos`) when no organization has the name. Token as
 * `Authorization: token`. Pages follow `Link: rel="next"`. Gitea has no documented rate-limit
 * headers; a 429 (from Gitea or a proxy in front) waits `Retry-After`, else a minute. Fields:
 * `clone_url`, `archived`, `fork`, `stars_count`, `updated_at` (Gitea has no `pushed_at`).
 */
import { isRepolensError } from '../../../domain/errors.js';
import { fetchAllPages, ForgeErrorCodes, linkNext, retryAfterMs, type ForgeRequest } from './forge-client.js';
import { apiBase, collectRepositories, type ForgeListOptions, type ForgeRepository } from './forge-repository.js';

export const GITEA_URL = 'https://gitea.com';
/** Gitea caps `limit` at its MAX_RESPONSE_ITEMS (50 by default). */
const PAGE_SIZE = 50;

export function giteaRateLimitWaitMs(response: Response, now: number): number | undefined {
  if (response.status !== 429) return undefined;
  return retryAfterMs(response, now) ?? 60_000;
}

function request(url: URL, options: ForgeListOptions): ForgeRequest {
  return {
    url,
    forge: 'gitea',
    headers: {
      Accept: 'application/json',
      ...(options.token === undefined ? {} : { Authorization: `token ${options.token}` }),
    },
    ...(options.token === undefined ? {} : { token: options.token }),
    nextPage: (response) => linkNext(response),
    rateLimitWaitMs: giteaRateLimitWaitMs,
  };
}

/** Repositories of a Gitea/Forgejo organization, or of a user when no organization has the name. */
export async function listGiteaRepositories(owner: string, options: ForgeListOptions): Promise<ForgeRepository[]> {
  const base = apiBase(options.baseUrl ?? GITEA_URL, '/api/v1');
  const name = encodeURIComponent(owner);
  let pages: unknown[];
  try {
    pages = await fetchAllPages(
      request(new URL(`orgs/${name}/repos?limit=${PAGE_SIZE}&page=1`, base), options),
      options,
    );
  } catch (error) {
    if (!isRepolensError(error) || error.code !== ForgeErrorCodes.notFound) throw error;
    pages = await fetchAllPages(
      request(new URL(`users/${name}/repos?limit=${PAGE_SIZE}&page=1`, base), options),
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
      stars: item.stars_count,
      activityAt: item.updated_at,
    }),
    'gitea',
    options,
  );
}
