/**
 * `repolens discover [urls...]`: publishes repositories to `repository.discovery` for the
 * workers to clone and analyse. Candidates come from the command line (`manual`), a directory
 * scan, a list file or a forge's organization listing (`automatic`); the discovery publisher
 * normalizes, dedupes against the store and publishes. Prints what was published, skipped and
 * rejected, with reasons; exits non-zero when anything was rejected (or a source failed).
 */
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { ErrorCodes, isRepolensError, RepolensError } from '../../domain/errors.js';
import { stripCredentials } from '../../domain/repository-url.js';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import {
  createDiscoveryPublisher,
  type DiscoveryCandidate,
  type PublishResult,
  type RejectedDiscovery,
} from '../../services/discovery/discovery-publisher.js';
import type { ForgeListOptions, RepositoryFilters } from '../../services/discovery/forges/forge-repository.js';
import { listGiteaRepositories } from '../../services/discovery/forges/gitea.js';
import { listGithubRepositories } from '../../services/discovery/forges/github.js';
import { listGitlabRepositories } from '../../services/discovery/forges/gitlab.js';
import { readRepositoryList } from '../../services/discovery/list-file.js';
import { scanForRepositories } from '../../services/discovery/scan-directory.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson, shorten } from '../io.js';
import { nonNegativeInteger } from '../parse.js';
import { brokerConfigFlags, withBrokerOptions, type BrokerFlags } from './broker-options.js';

/** Forge tokens, read by the composition root from GITHUB_TOKEN, GITLAB_TOKEN and GITEA_TOKEN. */
export interface ForgeTokens {
  readonly github?: string;
  readonly gitlab?: string;
  readonly gitea?: string;
}

/** The part of CliDeps `discover` uses, plus forge tokens (optional: without them forges are read anonymously). */
export interface DiscoverDeps extends Pick<
  CliDeps,
  'io' | 'resolveConfig' | 'connectKafka' | 'openStore' | 'shutdownSignal' | 'cwd'
> {
  readonly forgeTokens?: ForgeTokens;
  /** For tests: serve forge pages from a local server. */
  readonly fetch?: typeof fetch;
}

interface DiscoverFlags extends BrokerFlags {
  readonly scan?: string[];
  readonly list?: string[];
  readonly github?: string[];
  readonly gitlab?: string[];
  readonly gitea?: string[];
  readonly forgeUrl?: string;
  readonly includeArchived?: boolean;
  readonly includeForks?: boolean;
  readonly minStars?: number;
  readonly pushedSince?: Date;
  readonly priority?: number;
  readonly force?: boolean;
  readonly allowLocal?: boolean;
  readonly json?: boolean;
  readonly databaseUrl?: string;
  readonly dataDir?: string;
}

function parsePriority(value: string): number {
  if (!/^[1-5]$/.test(value)) throw new InvalidArgumentError(`--priority must be 1-5, got "${value}"`);
  return Number(value);
}

function parseDate(value: string): Date {
  const parsed = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(parsed)) {
    throw new InvalidArgumentError(`--pushed-since must be an ISO-8601 date such as 2025-01-31, got "${value}"`);
  }
  return new Date(parsed);
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Waits with setTimeout; the CLI may not import the system adapters, and this is all it needs. */
const cliClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolveSleep, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolveSleep();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Warnings (rate-limit waits, refused clone URLs) go to stderr as one line each; the rest is printed as results. */
function stderrLogger(write: (text: string) => void): Logger {
  const quiet = (): void => undefined;
  const warn = (first: Record<string, unknown> | string, message?: string): void => {
    if (typeof first === 'string') {
      write(`repolens: ${first}\n`);
      return;
    }
    const facts = Object.entries(first)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    write(`repolens: ${message ?? ''} ${facts}\n`);
  };
  const logger: Logger = { debug: quiet, info: quiet, warn, error: warn, child: () => logger };
  return logger;
}

function reasonOf(error: unknown): string {
  if (isRepolensError(error)) return error.message;
  throw error;
}

async function gatherCandidates(
  urls: readonly string[],
  flags: DiscoverFlags,
  deps: DiscoverDeps,
  logger: Logger,
): Promise<{ candidates: DiscoveryCandidate[]; rejected: RejectedDiscovery[] }> {
  const candidates: DiscoveryCandidate[] = [];
  const rejected: RejectedDiscovery[] = [];
  const priority = flags.priority === undefined ? {} : { priority: flags.priority };
  for (const url of urls) candidates.push({ url, ...priority, source: 'manual' });

  for (const dir of flags.scan ?? []) {
    try {
      const found = await scanForRepositories(resolve(deps.cwd, dir), { signal: deps.shutdownSignal() });
      for (const path of found.repositories) candidates.push({ url: path, ...priority, source: 'automatic' });
      for (const path of found.unreadable) logger.warn({ directory: path }, 'scan: cannot read directory');
    } catch (error) {
      rejected.push({ input: `scan:${dir}`, reason: reasonOf(error) });
    }
  }

  for (const file of flags.list ?? []) {
    try {
      const list = await readRepositoryList(resolve(deps.cwd, file));
      for (const entry of list.entries) {
        const entryPriority = entry.priority === undefined ? priority : { priority: entry.priority };
        candidates.push({ url: entry.url, ...entryPriority, source: 'automatic' });
      }
      for (const problem of list.problems) rejected.push({ input: `${file}:${problem.line}`, reason: problem.reason });
    } catch (error) {
      rejected.push({ input: `list:${file}`, reason: reasonOf(error) });
    }
  }

  const filters: RepositoryFilters = {
    includeArchived: flags.includeArchived === true,
    includeForks: flags.includeForks === true,
    ...(flags.minStars === undefined ? {} : { minStars: flags.minStars }),
    ...(flags.pushedSince === undefined ? {} : { pushedSince: flags.pushedSince }),
  };
  const forges = [
    ['github', flags.github, listGithubRepositories, deps.forgeTokens?.github],
    ['gitlab', flags.gitlab, listGitlabRepositories, deps.forgeTokens?.gitlab],
    ['gitea', flags.gitea, listGiteaRepositories, deps.forgeTokens?.gitea],
  ] as const;
  for (const [forge, owners, list, token] of forges) {
    for (const owner of owners ?? []) {
      const options: ForgeListOptions = {
        clock: cliClock,
        logger,
        filters,
        signal: deps.shutdownSignal(),
        ...(flags.forgeUrl === undefined ? {} : { baseUrl: flags.forgeUrl }),
        ...(token === undefined || token === '' ? {} : { token }),
        ...(deps.fetch === undefined ? {} : { fetch: deps.fetch }),
      };
      try {
        for (const repository of await list(owner, options)) {
          candidates.push({ url: repository.url, ...priority, source: 'automatic' });
        }
      } catch (error) {
        rejected.push({ input: `${forge}:${owner}`, reason: reasonOf(error) });
      }
    }
  }
  return { candidates, rejected };
}

function printResult(deps: DiscoverDeps, result: PublishResult): void {
  const { io } = deps;
  io.out(
    `published ${result.published.length}, skipped ${result.skipped.length}, rejected ${result.rejected.length}\n`,
  );
  if (result.published.length > 0) {
    io.out(
      formatTable(
        ['PUBLISHED', 'PRIORITY', 'SOURCE'],
        result.published.map((p) => [p.url, String(p.priority), p.source]),
      ),
    );
  }
  if (result.skipped.length > 0) {
    io.out(
      formatTable(
        ['SKIPPED', 'REASON'],
        result.skipped.map((s) => [s.url, s.reason]),
      ),
    );
  }
  if (result.rejected.length > 0) {
    io.out(
      formatTable(
        ['REJECTED', 'REASON'],
        result.rejected.map((r) => [shorten(r.input, 100), r.reason]),
      ),
    );
  }
}

async function publish(
  deps: DiscoverDeps,
  config: Config,
  flags: DiscoverFlags,
  logger: Logger,
  candidates: readonly DiscoveryCandidate[],
): Promise<PublishResult> {
  const store = await deps.openStore(config);
  try {
    const kafka = await deps.connectKafka(config);
    try {
      return await createDiscoveryPublisher({
        bus: kafka.bus,
        store,
        clock: cliClock,
        logger,
        revisitIntervalMs: config.revisitIntervalMs,
        // A scan finds local repositories by definition.
        allowLocal: flags.allowLocal === true || (flags.scan?.length ?? 0) > 0,
        cwd: deps.cwd,
      }).publish(candidates, { force: flags.force === true });
    } finally {
      await kafka.close();
    }
  } finally {
    await store.close();
  }
}

export function registerDiscoverCommand(program: Command, deps: DiscoverDeps): void {
  withBrokerOptions(program.command('discover'))
    .description('publish repositories for analysis: URLs given, found on disk, listed in a file or on a forge')
    .argument('[urls...]', 'repository URLs (https, ssh, git; local paths with --allow-local)')
    .option('--scan <dir>', 'every git repository under this directory (implies --allow-local; repeatable)', collect)
    .option('--list <file>', 'one URL per line, optional priority after it, # comments (repeatable)', collect)
    .option('--github <owner>', "a GitHub organization's or user's repositories (token: GITHUB_TOKEN)", collect)
    .option('--gitlab <group>', "a GitLab group's projects, subgroups included (token: GITLAB_TOKEN)", collect)
    .option('--gitea <owner>', "a Gitea/Forgejo organization's or user's repositories (token: GITEA_TOKEN)", collect)
    .option('--forge-url <base>', 'forge base URL: GitHub Enterprise, self-hosted GitLab, Gitea or Forgejo')
    .option('--include-archived', 'keep archived forge repositories')
    .option('--include-forks', 'keep forked forge repositories')
    .option('--min-stars <n>', 'only forge repositories with at least n stars', nonNegativeInteger('--min-stars'))
    .option('--pushed-since <date>', 'only forge repositories active since this date (ISO-8601)', parseDate)
    .option('--priority <1-5>', 'priority of every candidate without its own (default 3)', parsePriority)
    .option('--force', 'publish even when in flight or analysed within the revisit interval')
    .option('--allow-local', 'accept local paths and file:// URLs')
    .option('--json', 'print JSON')
    .option('--database-url <url>', 'PostgreSQL of a distributed installation, for dedupe (env DATABASE_URL)')
    .option('--data-dir <dir>', 'data directory of embedded mode (env REPOLENS_DATA_DIR, default .repolens)')
    .action(async (urls: string[], flags: DiscoverFlags) => {
      const sources = urls.length + [flags.scan, flags.list, flags.github, flags.gitlab, flags.gitea].flat().length;
      if (sources === 0) {
        throw new RepolensError(
          ErrorCodes.inputInvalid,
          'discover needs repository URLs or a source (--scan, --list, --github, --gitlab, --gitea)',
        );
      }
      const config = deps.resolveConfig({
        ...brokerConfigFlags(flags),
        databaseUrl: flags.databaseUrl,
        dataDir: flags.dataDir,
      });
      const logger = stderrLogger(deps.io.err);
      const gathered = await gatherCandidates(urls, flags, deps, logger);

      let result: PublishResult = { published: [], skipped: [], rejected: [] };
      // Nothing to publish: no reason to reach the database or the brokers.
      if (gathered.candidates.length > 0) result = await publish(deps, config, flags, logger, gathered.candidates);
      const all: PublishResult = {
        ...result,
        rejected: [...gathered.rejected, ...result.rejected.map((r) => ({ ...r, input: stripCredentials(r.input) }))],
      };
      if (flags.json === true) printJson(deps.io, all);
      else printResult(deps, all);
      if (all.rejected.length > 0) {
        throw new RepolensError(
          ErrorCodes.inputInvalid,
          `${all.rejected.length} candidate(s) rejected (reasons above)`,
        );
      }
    });
}
