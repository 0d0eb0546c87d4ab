/**
 * How the API names a repository in a path: `:id` is the URL-encoded normalized repository URL
 * (`/api/repositories/https%3A%2F%2Fgithub.com%2Facme%2Fwidget.git`). The router decodes it, so
 * handlers get the URL itself; the store is keyed by it, so no lookup table is needed and an id
 * never goes stale.
 */

const API_PREFIX = '/api/repositories';

export function repositoryPath(url: string): string {
  return `${API_PREFIX}/${encodeURIComponent(url)}`;
}

export function repositoryLinks(url: string): { readonly self: string; readonly report: string } {
  const self = repositoryPath(url);
  return { self, report: `${self}/report` };
}
