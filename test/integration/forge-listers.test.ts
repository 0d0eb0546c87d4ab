/**
 * The GitHub, GitLab and Gitea listers against a local HTTP server that answers exactly as each
 * forge documents: field names, pagination headers, rate-limit replies, ETags and auth headers.
 * A fake clock records the waits, so rate limits are waited out without real minutes.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { CachedPage } from '../../src/services/discovery/forges/forge-client.js';
import type { ForgeRepository } from '../../src/services/discovery/forges/forge-repository.js';
import { listGiteaRepositories } from '../../src/services/discovery/forges/gitea.js';
import { listGithubRepositories } from '../../src/services/discovery/forges/github.js';
import { listGitlabRepositories } from '../../src/services/discovery/forges/gitlab.js';

const TOKEN = 'tok-SECRET-5f1c9e';
const START = Date.parse('2025-06-01T12:00:00Z');

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}
interface Seen {
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** A local forge: `handle` answers each request; every request is recorded. */
class ForgeServer {
  readonly requests: Seen[] = [];
  handle: (seen: Seen) => Reply = () => ({ status: 404 });
  private server: Server | undefined;
  origin = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://placeholder');
      const seen = { path: url.pathname, query: url.searchParams, headers: req.headers };
      this.requests.push(seen);
      const reply = this.handle(seen);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function fakeClock(): Clock & { waits: number[] } {
  let now = START;
  const waits: number[] = [];
  return {
    waits,
    now: () => now,
    sleep: (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

function capturingLogger(lines: string[]): Logger {
  const log = (...args: unknown[]): void => {
    lines.push(JSON.stringify(args));
  };
  const logger: Logger = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return logger;
}

/** 3 pages; the second and third are rate limited once each; ETags on every page. */
function paged<T>(
  pages: readonly T[][],
  options: {
    link: (page: number) => Record<string, string>;
    limitOnce: Record<number, () => Reply>;
  },
): (seen: Seen) => Reply {
  const limited = new Set<number>();
  return (seen) => {
    const page = Number(seen.query.get('page') ?? '1');
    const items = pages[page - 1];
    if (items === undefined) return { status: 404, body: { message: 'Not Found' } };
    const limit = options.limitOnce[page];
    if (limit !== undefined && !limited.has(page)) {
      limited.add(page);
      return limit();
    }
    const etag = `"page-${page}-v1"`;
    if (seen.headers['if-none-match'] === etag) return { status: 304, headers: { etag } };
    return {
      status: 200,
      headers: { etag, ...(page < pages.length ? options.link(page) : {}) },
      body: items,
    };
  };
}

describe('forge listers', () => {
  const server = new ForgeServer();
  let clock: ReturnType<typeof fakeClock>;
  let lines: string[];

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    clock = fakeClock();
    lines = [];
  });

  function urls(repositories: readonly ForgeRepository[]): string[] {
    return repositories.map((r) => r.url).sort();
  }

  describe('GitHub', () => {
    const repo = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id: name.length,
      name,
      full_name: `acme/${name}`,
      clone_url: `https://github.com/acme/${name}.git`,
      ssh_url: `git@github.com:acme/${name}.git`,
      archived: false,
      fork: false,
      stargazers_count: 50,
      pushed_at: '2025-05-20T10:00:00Z',
      ...extra,
    });
    const pages = [
      [repo('alpha'), repo('old', { pushed_at: '2020-01-01T00:00:00Z' })],
      [repo('archived', { archived: true }), repo('forked', { fork: true })],
      [repo('small', { stargazers_count: 2 }), repo('evil', { clone_url: 'ext::sh -c id' })],
    ];

    beforeEach(() => {
      const link = (page: number): Record<string, string> => ({
        link: `<${server.origin}/api/v3/organizations/1/repos?type=all&per_page=100&page=${page + 1}>; rel="next", <${server.origin}/api/v3/organizations/1/repos?page=3>; rel="last"`,
      });
      const handlePages = paged(pages, {
        link,
        limitOnce: {
          // Primary rate limit: 403, remaining 0, reset two minutes ahead (epoch seconds).
          2: () => ({
            status: 403,
            headers: {
              'x-ratelimit-limit': '5000',
              'x-ratelimit-remaining': '0',
              'x-ratelimit-reset': String(Math.floor(clock.now() / 1000) + 120),
            },
            body: { message: 'API rate limit exceeded' },
          }),
          // Secondary rate limit: 429 with Retry-After seconds.
          3: () => ({ status: 429, headers: { 'retry-after': '30' }, body: { message: 'secondary rate limit' } }),
        },
      });
      server.handle = (seen) => {
        if (seen.path === '/api/v3/orgs/acme/repos' || seen.path === '/api/v3/organizations/1/repos') {
          return handlePages(seen);
        }
        if (seen.path === '/api/v3/orgs/someone/repos') return { status: 404, body: { message: 'Not Found' } };
        if (seen.path === '/api/v3/users/someone/repos') {
          return {
            status: 200,
            body: [
              repo('personal', { full_name: 'someone/personal', clone_url: 'https://github.com/someone/personal.git' }),
            ],
          };
        }
        if (seen.path === '/api/v3/orgs/hijack/repos') {
          return {
            status: 200,
            headers: { link: '<https://attacker.test/steal?page=2>; rel="next"' },
            body: [repo('a')],
          };
        }
        return { status: 404, body: { message: 'Not Found' } };
      };
    });

    it('lists 3 pages, waits out both rate limits, filters, and sends the token only as Bearer', async () => {
      const cache = new Map<string, CachedPage>();
      const options = { baseUrl: server.origin, token: TOKEN, clock, logger: capturingLogger(lines), cache };
      const listed = await listGithubRepositories('acme', options);
      // Archived and forked are left out by default; the ext:: clone URL is dropped.
      expect(urls(listed)).toEqual([
        'https://github.com/acme/alpha',
        'https://github.com/acme/old',
        'https://github.com/acme/small',
      ]);
      expect(listed.every((r) => r.source === 'automatic')).toBe(true);
      expect(listed.find((r) => r.fullName === 'acme/alpha')).toMatchObject({
        stars: 50,
        archived: false,
        fork: false,
      });
      expect(clock.waits).toEqual([120_000, 30_000]);
      expect(server.requests.map((r) => `${r.path}?page=${r.query.get('page') ?? '1'}`)).toEqual([
        '/api/v3/orgs/acme/repos?page=1',
        '/api/v3/organizations/1/repos?page=2',
        '/api/v3/organizations/1/repos?page=2',
        '/api/v3/organizations/1/repos?page=3',
        '/api/v3/organizations/1/repos?page=3',
      ]);
      for (const request of server.requests) {
        expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
        expect(request.headers.accept).toBe('application/vnd.github+json');
      }
      expect(lines.some((line) => line.includes('rate limited'))).toBe(true);
      expect(lines.join('\n')).not.toContain(TOKEN);

      // Second listing: every page revalidated with If-None-Match, answered 304, same result.
      server.requests.length = 0;
      clock.waits.length = 0;
      const again = await listGithubRepositories('acme', options);
      expect(again).toEqual(listed);
      expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([
        '"page-1-v1"',
        '"page-2-v1"',
        '"page-3-v1"',
      ]);
      expect(clock.waits).toEqual([]);
    });

    it('applies the filters: archived, forks, minimum stars, pushed since', async () => {
      const base = { baseUrl: server.origin, clock, logger: capturingLogger(lines) };
      const everything = await listGithubRepositories('acme', {
        ...base,
        filters: { includeArchived: true, includeForks: true },
      });
      expect(urls(everything)).toEqual(
        ['alpha', 'archived', 'forked', 'old', 'small'].map((n) => `https://github.com/acme/${n}`),
      );
      const popularRecent = await listGithubRepositories('acme', {
        ...base,
        filters: { minStars: 10, pushedSince: new Date('2025-01-01T00:00:00Z') },
      });
      expect(urls(popularRecent)).toEqual(['https://github.com/acme/alpha']);
      // Without a token no Authorization header is sent at all.
      expect(server.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    });

    it('falls back to the user endpoint when no organization has the name', async () => {
      const listed = await listGithubRepositories('someone', {
        baseUrl: server.origin,
        clock,
        logger: capturingLogger(lines),
      });
      expect(urls(listed)).toEqual(['https://github.com/someone/personal']);
    });

    it('refuses a next-page link to another origin, so the token never leaves the forge', async () => {
      await expect(
        listGithubRepositories('hijack', {
          baseUrl: server.origin,
          token: TOKEN,
          clock,
          logger: capturingLogger(lines),
        }),
      ).rejects.toThrow(/leaves the API origin/);
    });

    it('gives up when the reset is further away than the cap', async () => {
      await expect(
        listGithubRepositories('acme', {
          baseUrl: server.origin,
          clock,
          logger: capturingLogger(lines),
          maxRateLimitWaitMs: 60_000,
        }),
      ).rejects.toMatchObject({ code: 'REPOLENS_UNAVAILABLE', retryable: true });
      expect(clock.waits).toEqual([]);
    });
  });

  describe('GitLab', () => {
    const project = (path: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id: path.length,
      path_with_namespace: `acme/platform/${path}`,
      http_url_to_repo: `https://gitlab.example.test/acme/platform/${path}.git`,
      ssh_url_to_repo: `git@gitlab.example.test:acme/platform/${path}.git`,
      archived: false,
      star_count: 7,
      last_activity_at: '2025-05-30T08:00:00.000Z',
      ...extra,
    });
    const pages = [
      [project('api'), project('sub/worker')],
      [project('legacy', { archived: true }), project('mirror', { forked_from_project: { id: 1 } })],
      [project('tiny', { star_count: 0, last_activity_at: '2019-01-01T00:00:00.000Z' })],
    ];

    beforeEach(() => {
      server.handle = paged(pages, {
        // GitLab's own header; no Link, to exercise X-Next-Page.
        link: (page) => ({ 'x-next-page': String(page + 1), 'x-page': String(page), 'x-per-page': '100' }),
        limitOnce: {
          2: () => ({ status: 429, headers: { 'retry-after': '45' }, body: { message: 'Retry later' } }),
          3: () => ({
            status: 429,
            headers: { 'ratelimit-remaining': '0', 'ratelimit-reset': String(Math.floor(clock.now() / 1000) + 20) },
            body: { message: 'Retry later' },
          }),
        },
      });
    });

    it('lists a group with subgroups over 3 pages, waits out 429s, revalidates with ETags, sends PRIVATE-TOKEN', async () => {
      const cache = new Map<string, CachedPage>();
      const options = {
        baseUrl: `${server.origin}/`,
        token: TOKEN,
        clock,
        logger: capturingLogger(lines),
        cache,
      };
      const listed = await listGitlabRepositories('acme/platform', options);
      expect(urls(listed)).toEqual(
        ['api', 'sub/worker', 'tiny'].map((p) => `https://gitlab.example.test/acme/platform/${p}`),
      );
      expect(clock.waits).toEqual([45_000, 20_000]);
      expect(server.requests[0]?.path).toBe('/api/v4/groups/acme%2Fplatform/projects');
      expect(server.requests[0]?.query.get('include_subgroups')).toBe('true');
      expect(server.requests.map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '2', '3', '3']);
      for (const request of server.requests) {
        expect(request.headers['private-token']).toBe(TOKEN);
        expect(request.headers.authorization).toBeUndefined();
      }
      expect(lines.join('\n')).not.toContain(TOKEN);

      server.requests.length = 0;
      const again = await listGitlabRepositories('acme/platform', options);
      expect(again).toEqual(listed);
      expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([
        '"page-1-v1"',
        '"page-2-v1"',
        '"page-3-v1"',
      ]);
    });

    it('applies the filters on GitLab fields (forked_from_project, star_count, last_activity_at)', async () => {
      const listed = await listGitlabRepositories('acme/platform', {
        baseUrl: server.origin,
        clock,
        logger: capturingLogger(lines),
        filters: {
          includeArchived: true,
          includeForks: true,
          minStars: 1,
          pushedSince: new Date('2025-01-01T00:00:00Z'),
        },
      });
      expect(urls(listed)).toEqual(
        ['api', 'legacy', 'mirror', 'sub/worker'].map((p) => `https://gitlab.example.test/acme/platform/${p}`),
      );
      expect(listed.find((r) => r.fullName === 'acme/platform/mirror')?.fork).toBe(true);
    });
  });

  describe('Gitea / Forgejo', () => {
    const repo = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      id: name.length,
      full_name: `acme/${name}`,
      clone_url: `https://gitea.example.test/acme/${name}.git`,
      ssh_url: `git@gitea.example.test:acme/${name}.git`,
      archived: false,
      fork: false,
      stars_count: 3,
      updated_at: '2025-05-31T09:00:00+02:00',
      ...extra,
    });
    const pages = [
      [repo('one'), repo('two', { archived: true })],
      [repo('three', { fork: true }), repo('four', { stars_count: 0 })],
      [repo('five', { updated_at: '2021-03-01T00:00:00Z' })],
    ];

    beforeEach(() => {
      server.handle = paged(pages, {
        link: (page) => ({
          link: `<${server.origin}/api/v1/orgs/acme/repos?limit=50&page=${page + 1}>; rel="next",<${server.origin}/api/v1/orgs/acme/repos?limit=50&page=3>; rel="last"`,
          'x-total-count': '5',
        }),
        limitOnce: {
          2: () => ({ status: 429, headers: { 'retry-after': '10' } }),
          3: () => ({ status: 429, headers: { 'retry-after': '5' } }),
        },
      });
    });

    it('lists an organization over 3 pages, waits out 429s, revalidates with ETags, sends "Authorization: token"', async () => {
      const cache = new Map<string, CachedPage>();
      const options = { baseUrl: server.origin, token: TOKEN, clock, logger: capturingLogger(lines), cache };
      const listed = await listGiteaRepositories('acme', options);
      expect(urls(listed)).toEqual(['five', 'four', 'one'].map((n) => `https://gitea.example.test/acme/${n}`));
      expect(clock.waits).toEqual([10_000, 5_000]);
      expect(server.requests[0]?.path).toBe('/api/v1/orgs/acme/repos');
      for (const request of server.requests) expect(request.headers.authorization).toBe(`token ${TOKEN}`);
      expect(lines.join('\n')).not.toContain(TOKEN);

      server.requests.length = 0;
      expect(await listGiteaRepositories('acme', options)).toEqual(listed);
      expect(server.requests.map((r) => r.headers['if-none-match'])).toEqual([
        '"page-1-v1"',
        '"page-2-v1"',
        '"page-3-v1"',
      ]);
    });

    it('applies the filters on Gitea fields (fork, stars_count, updated_at)', async () => {
      const listed = await listGiteaRepositories('acme', {
        baseUrl: server.origin,
        clock,
        logger: capturingLogger(lines),
        filters: { includeForks: true, minStars: 1, pushedSince: new Date('2025-01-01T00:00:00Z') },
      });
      expect(urls(listed)).toEqual(['one', 'three'].map((n) => `https://gitea.example.test/acme/${n}`));
    });
  });
});
