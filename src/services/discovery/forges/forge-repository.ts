/**
 * What every forge lister returns, the filters they share, and the one place a forge's clone URL
 * becomes a candidate: normalized, http(s) only, never a local path (the forge is untrusted, so a
 * `file://` or `ext::` clone URL in its answer is dropped with a warning, not published).
 */
import { ErrorCodes, isRepolensError, RepolensError } from '../../../domain/errors.js';
import { normalizeRepositoryUrl, stripCredentials } from '../../../domain/repository-url.js';
import type { Logger } from '../../../ports/logger.js';
import type { DiscoveryCandidate } from '../discovery-publisher.js';
import { ForgeErrorCodes, type ForgeClientOptions } from './forge-client.js';

export interface RepositoryFilters {
  /** Keep archived repositories (default false). */
  readonly includeArchived?: boolean;
  /** Keep forks (default false). */
  readonly includeForks?: boolean;
  /** Keep only repositories with at least this many stars (default 0). */
  readonly minStars?: number;
  /** Keep only repositories with activity at or after this time (GitHub `pushed_at`, GitLab `last_activity_at`, Gitea `updated_at`). */
  readonly pushedSince?: Date;
}

export interface ForgeRepository extends DiscoveryCandidate {
  readonly source: 'automatic';
  /** `owner/name` (GitLab: the path with namespace). */
  readonly fullName: string;
  readonly archived: boolean;
  readonly fork: boolean;
  readonly stars: number;
  /** Last activity as the forge reports it; undefined when absent. */
  readonly activityAt: Date | undefined;
}

export interface ForgeListOptions extends ForgeClientOptions {
  /** API base (GitHub Enterprise, self-hosted GitLab or Gitea); defaults per forge. */
  readonly baseUrl?: string;
  /** Sent in the forge's documented header; never logged. */
  readonly token?: string;
  readonly filters?: RepositoryFilters;
}

/** Fields every forge's item is reduced to before filtering. */
export interface ForgeItem {
  readonly cloneUrl: unknown;
  readonly fullName: unknown;
  readonly archived: unknown;
  readonly fork: boolean;
  readonly stars: unknown;
  readonly activityAt: unknown;
}

export function keepRepository(repository: ForgeRepository, filters: RepositoryFilters = {}): boolean {
  if (repository.archived && filters.includeArchived !== true) return false;
  if (repository.fork && filters.includeForks !== true) return false;
  if (repository.stars < (filters.minStars ?? 0)) return false;
  if (filters.pushedSince !== undefined) {
    if (repository.activityAt === undefined || repository.activityAt < filters.pushedSince) return false;
  }
  return true;
}

/** The item as a candidate, or undefined (logged) when its clone URL is unusable. */
export function toForgeRepository(item: ForgeItem, forge: string, logger: Logger): ForgeRepository | undefined {
  if (typeof item.cloneUrl !== 'string') {
    logger.warn({ forge, repository: String(item.fullName) }, 'repository without a clone URL; skipped');
    return undefined;
  }
  if (!/^https?:\/\//i.test(item.cloneUrl)) {
    logger.warn({ forge, cloneUrl: stripCredentials(item.cloneUrl) }, 'clone URL is not http(s); skipped');
    return undefined;
  }
  let url: string;
  try {
    ({ url } = normalizeRepositoryUrl(item.cloneUrl, { allowLocal: false }));
  } catch (error) {
    if (!isRepolensError(error)) throw error;
    logger.warn({ forge, cloneUrl: stripCredentials(item.cloneUrl), reason: error.message }, 'clone URL refused');
    return undefined;
  }
  const activity = typeof item.activityAt === 'string' ? new Date(item.activityAt) : undefined;
  return {
    url,
    source: 'automatic',
    fullName: typeof item.fullName === 'string' ? item.fullName : url,
    archived: item.archived === true,
    fork: item.fork,
    stars: typeof item.stars === 'number' && Number.isFinite(item.stars) ? item.stars : 0,
    activityAt: activity === undefined || Number.isNaN(activity.getTime()) ? undefined : activity,
  };
}

/** Pages (each a JSON array) → filtered, de-duplicated repositories. */
export function collectRepositories(
  pages: readonly unknown[],
  read: (item: Record<string, unknown>) => ForgeItem,
  forge: string,
  options: Pick<ForgeListOptions, 'filters' | 'logger'>,
): ForgeRepository[] {
  const byUrl = new Map<string, ForgeRepository>();
  for (const page of pages) {
    if (!Array.isArray(page))
      throw new RepolensError(ForgeErrorCodes.badResponse, `${forge}: a page is not a JSON array`);
    for (const item of page as unknown[]) {
      if (typeof item !== 'object' || item === null) continue;
      const repository = toForgeRepository(read(item as Record<string, unknown>), forge, options.logger);
      if (repository !== undefined && keepRepository(repository, options.filters))
        byUrl.set(repository.url, repository);
    }
  }
  return [...byUrl.values()];
}

/** Appends `apiPath` to a base that does not already name an API path (`/api/…`). */
export function apiBase(baseUrl: string, apiPath: string): URL {
  let base: URL;
  try {
    base = new URL(baseUrl);
  } catch (error) {
    throw new RepolensError(ErrorCodes.inputInvalid, 'the forge base URL does not parse', { cause: error });
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') {
    throw new RepolensError(ErrorCodes.inputInvalid, `the forge base URL must be http(s), got ${base.protocol}`);
  }
  base.username = '';
  base.password = '';
  base.search = '';
  base.hash = '';
  const path = base.pathname.replace(/\/+$/, '');
  base.pathname = /\/api(\/|$)/.test(path) ? `${path}/` : `${path}${apiPath}/`;
  return base;
}
