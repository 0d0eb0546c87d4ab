/**
 * GitLab (gitlab.com or self-hosted): a group's projects including its subgroups'
 * (`GET /api/v4/groups/:id/projects?include_subgroups=true`). Token as `PRIVATE-TOKEN`. Pages
 * follow `Link: rel="next"`, else `X-Next-Page` (empty on the last page). Rate limits: 429 waits
 * `Retry-After`, else until `RateLimit-Reset`. Fields: `http_url_to_repo`, `archived`,
 * `forked_from_project` (present on forks), `star_count`, `last_activity_at`.
 */
import { fetchAllPages, linkNext, resetHeaderWaitMs, retryAfterMs } from './forge-client.js';
import { apiBase, collectRepositories, type ForgeListOptions, type ForgeRepository } from './forge-repository.js';

export const GITLAB_URL = 'https://gitlab.com';

export function gitlabRateLimitWaitMs(response: Response, now: number): number | undefined {
  if (response.status !== 429) return undefined;
  return retryAfterMs(response, now) ?? resetHeaderWaitMs(response, 'ratelimit-reset', now) ?? 60_000;
}

export function gitlabNextPage(response: Response, current: URL): string | undefined {
  const link = linkNext(response);
  if (link !== undefined) return link;
  const page = response.headers.get('x-next-page');
  if (page === null || !/^\d+$/.test(page.trim())) return undefined;
  const next = new URL(current);
  next.searchParams.set('page', page.trim());
  return next.href;
}

/** Projects of a GitLab group (`group` is its id or its full path, e.g. `gitlab-org/ci`) and its subgroups. */
export async function listGitlabRepositories(group: string, options: ForgeListOptions): Promise<ForgeRepository[]> {
  const base = apiBase(options.baseUrl ?? GITLAB_URL, '/api/v4');
  const url = new URL(
    `groups/${encodeURIComponent(group)}/projects?include_subgroups=true&per_page=100&order_by=id&sort=asc`,
    base,
  );
  const pages = await fetchAllPages(
    {
      url,
      forge: 'gitlab',
      headers: {
        Accept: 'application/json',
        ...(options.token === undefined ? {} : { 'PRIVATE-TOKEN': options.token }),
      },
      ...(options.token === undefined ? {} : { token: options.token }),
      nextPage: gitlabNextPage,
      rateLimitWaitMs: gitlabRateLimitWaitMs,
      quotaExhaustedWaitMs: (response, now) =>
        response.headers.get('ratelimit-remaining') === '0'
          ? resetHeaderWaitMs(response, 'ratelimit-reset', now)
          : undefined,
    },
    options,
  );
  return collectRepositories(
    pages,
    (item) => ({
      cloneUrl: item.http_url_to_repo,
      fullName: item.path_with_namespace,
      archived: item.archived,
      fork: item.forked_from_project !== undefined && item.forked_from_project !== null,
      stars: item.star_count,
      activityAt: item.last_activity_at,
    }),
    'gitlab',
    options,
  );
}
