/** Where a repository's report files go: a readable, file-system-safe name from its URL. */
import { createHash } from 'node:crypto';

/**
 * `github.com-org-repo-1a2b3c4d`: host and path with anything unusual replaced, cut to a sane
 * length, plus a short hash of the full URL so two URLs never share a name.
 */
export function reportFileStem(url: string): string {
  const readable = url
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return `${readable || 'repository'}-${hash}`;
}
