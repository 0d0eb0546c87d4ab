/**
 * The ManifestStore port (src/ports/manifest-store.ts) on the shared SQL: tables file_manifests,
 * file_manifest_files and file_manifest_secrets (migration 0003). `save` replaces a repository's
 * manifest for a commit in one transaction (delete, then insert), so a reader sees the old one or
 * the new one, never a mix (reads take one snapshot). Files go in batches of BATCH rows per statement through `unnest` of
 * array parameters: 50,000 files are a dozen round trips, not 50,000. Newest means latest save.
 */
import type {
  FileCategory,
  FileDecision,
  Manifest,
  ManifestStore,
  SecretFinding,
  SelectionReason,
  SelectionTotals,
} from '../../ports/manifest-store.js';
import { numberArray, textArray } from './chunk-index-arrays.js';
import type { SqlExecutor } from './sql-executor.js';

const BATCH = 5_000;

interface ManifestRow {
  repository_url: string;
  commit_sha: string;
  budget: string | number | null;
  partial: boolean;
  coverage_percent: number;
  totals: unknown;
}

interface FileRow {
  path: string;
  included: boolean;
  reason: string;
  rule: string;
  language: string | null;
  category: string;
  vendored: boolean;
  generated: boolean;
  bytes: string | number;
  tokens: number | null;
  content_hash: string | null;
  rank: number | null;
}

interface SecretRow {
  path: string;
  line: number;
  type: string;
}

function booleanArray(values: readonly boolean[]): string {
  return `{${values.map((value) => (value ? 't' : 'f')).join(',')}}`;
}

async function insertFiles(tx: SqlExecutor, manifest: Manifest): Promise<void> {
  for (let start = 0; start < manifest.files.length; start += BATCH) {
    const batch = manifest.files.slice(start, start + BATCH);
    await tx.query(
      `INSERT INTO file_manifest_files (repository_url, commit_sha, ordinal, path, included, reason, rule, language,
         category, vendored, generated, bytes, tokens, content_hash, rank)
       SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::boolean[], $6::text[], $7::text[], $8::text[],
         $9::text[], $10::boolean[], $11::boolean[], $12::bigint[], $13::int[], $14::text[], $15::float8[])`,
      [
        manifest.repositoryUrl,
        manifest.commit,
        numberArray(batch.map((_, index) => start + index)),
        textArray(batch.map((file) => file.path)),
        booleanArray(batch.map((file) => file.included)),
        textArray(batch.map((file) => file.reason)),
        textArray(batch.map((file) => file.rule)),
        textArray(batch.map((file) => file.language)),
        textArray(batch.map((file) => file.category)),
        booleanArray(batch.map((file) => file.vendored)),
        booleanArray(batch.map((file) => file.generated)),
        numberArray(batch.map((file) => file.bytes)),
        numberArray(batch.map((file) => file.tokens)),
        textArray(batch.map((file) => file.contentHash)),
        numberArray(batch.map((file) => file.rank)),
      ],
    );
  }
}

async function insertSecrets(tx: SqlExecutor, manifest: Manifest): Promise<void> {
  for (let start = 0; start < manifest.secrets.length; start += BATCH) {
    const batch = manifest.secrets.slice(start, start + BATCH);
    await tx.query(
      `INSERT INTO file_manifest_secrets (repository_url, commit_sha, ordinal, path, line, type)
       SELECT $1, $2, * FROM unnest($3::int[], $4::text[], $5::int[], $6::text[])`,
      [
        manifest.repositoryUrl,
        manifest.commit,
        numberArray(batch.map((_, index) => start + index)),
        textArray(batch.map((secret) => secret.path)),
        numberArray(batch.map((secret) => secret.line)),
        textArray(batch.map((secret) => secret.type)),
      ],
    );
  }
}

function toDecision(row: FileRow): FileDecision {
  return {
    path: row.path,
    included: row.included,
    reason: row.reason as SelectionReason,
    rule: row.rule,
    language: row.language,
    category: row.category as FileCategory,
    vendored: row.vendored,
    generated: row.generated,
    bytes: Number(row.bytes),
    tokens: row.tokens === null ? null : Number(row.tokens),
    contentHash: row.content_hash,
    rank: row.rank === null ? null : Number(row.rank),
  };
}

async function load(executor: SqlExecutor, row: ManifestRow): Promise<Manifest> {
  const key = [row.repository_url, row.commit_sha];
  const files = await executor.query<FileRow>(
    `SELECT path, included, reason, rule, language, category, vendored, generated, bytes, tokens, content_hash, rank
     FROM file_manifest_files WHERE repository_url = $1 AND commit_sha = $2 ORDER BY ordinal`,
    key,
  );
  const secrets = await executor.query<SecretRow>(
    `SELECT path, line, type FROM file_manifest_secrets WHERE repository_url = $1 AND commit_sha = $2 ORDER BY ordinal`,
    key,
  );
  // node-postgres and PGlite both parse jsonb; a string means a driver configured otherwise.
  const totals = (typeof row.totals === 'string' ? JSON.parse(row.totals) : row.totals) as SelectionTotals;
  return {
    repositoryUrl: row.repository_url,
    commit: row.commit_sha,
    files: files.map(toDecision),
    secrets: secrets.map((secret): SecretFinding => ({
      path: secret.path,
      line: Number(secret.line),
      type: secret.type,
    })),
    totals,
    budget: row.budget === null ? null : Number(row.budget),
    partial: row.partial,
    coveragePercent: Number(row.coverage_percent),
  };
}

export function createSqlManifestStore(executor: SqlExecutor): ManifestStore {
  return {
    async save(manifest) {
      await executor.transaction(async (tx) => {
        // Upsert first: the row lock serialises concurrent saves of one commit (the second waits,
        // then replaces the first's files), where delete-then-insert would race to a key conflict.
        await tx.query(
          `INSERT INTO file_manifests (repository_url, commit_sha, budget, partial, coverage_percent, totals, saved_at)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, clock_timestamp())
           ON CONFLICT (repository_url, commit_sha) DO UPDATE SET
             budget = EXCLUDED.budget,
             partial = EXCLUDED.partial,
             coverage_percent = EXCLUDED.coverage_percent,
             totals = EXCLUDED.totals,
             saved_at = EXCLUDED.saved_at`,
          [
            manifest.repositoryUrl,
            manifest.commit,
            manifest.budget,
            manifest.partial,
            manifest.coveragePercent,
            JSON.stringify(manifest.totals),
          ],
        );
        const key = [manifest.repositoryUrl, manifest.commit];
        await tx.query(`DELETE FROM file_manifest_files WHERE repository_url = $1 AND commit_sha = $2`, key);
        await tx.query(`DELETE FROM file_manifest_secrets WHERE repository_url = $1 AND commit_sha = $2`, key);
        await insertFiles(tx, manifest);
        await insertSecrets(tx, manifest);
      });
    },

    async get(repositoryUrl, commit) {
      // One snapshot for the three reads, so a concurrent save is seen whole or not at all.
      return executor.transaction(async (tx) => {
        await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
        const columns = 'repository_url, commit_sha, budget, partial, coverage_percent, totals';
        const rows =
          commit === undefined
            ? await tx.query<ManifestRow>(
                `SELECT ${columns} FROM file_manifests WHERE repository_url = $1
                 ORDER BY saved_at DESC, commit_sha DESC LIMIT 1`,
                [repositoryUrl],
              )
            : await tx.query<ManifestRow>(
                `SELECT ${columns} FROM file_manifests WHERE repository_url = $1 AND commit_sha = $2`,
                [repositoryUrl, commit],
              );
        const row = rows[0];
        return row === undefined ? undefined : load(tx, row);
      });
    },
  };
}
