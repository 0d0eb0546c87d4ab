/**
 * The Project Analysis report (issue 8): the versioned document the analysis stage stores per
 * repository and commit, and that `repolens report`, the API and the renderers read. It is a
 * contract like the messages: field names are snake_case, the schema is strict, and
 * `docs/schemas/report.schema.json` is generated from it. Bump `report_version` (and keep
 * reading the old one) when a field changes meaning or disappears; adding a field is not a bump,
 * and an added field is optional so that reports stored before it still parse.
 *
 * Every string that comes from repository content (paths, names, constraints, README text) is
 * hostile: the analysis cleans control characters and bounds lengths; renderers escape.
 */
import { z } from 'zod';
import { isoTimestamp, repositoryUrl } from './fields.js';

export const REPORT_VERSION = 1;

const count = z.int().nonnegative();
const percent = z.number().min(0).max(100).describe('Percent, 0-100, rounded to 2 decimals');
const path = z.string().max(4096).describe('Path relative to the checkout root, `/`-separated');

export const Ecosystems = ['npm', 'pypi', 'go', 'cargo', 'maven', 'gradle', 'rubygems', 'composer', 'nuget'] as const;
export const ecosystem = z.enum(Ecosystems);
export type Ecosystem = z.infer<typeof ecosystem>;

export const IdentitySchema = z.strictObject({
  repository_url: repositoryUrl,
  default_branch: z.string().max(512),
  commit: z.string().max(64).describe('Full SHA of the analyzed commit'),
  analyzed_at: isoTimestamp,
  repolens_version: z.string().max(64),
});

export const LanguageStatsSchema = z.strictObject({
  language: z.string().max(200).describe('Linguist language name'),
  type: z.string().max(32).describe('Linguist type: programming, markup, data, prose, or unknown'),
  files: count,
  bytes: count,
  code: count,
  comment: count,
  blank: count,
  bytes_percent: percent.describe('Share of the bytes of the languages that count towards the primary language'),
});

export const CompositionSchema = z.strictObject({
  languages: z
    .array(LanguageStatsSchema)
    .describe('Non-vendored, non-generated files with a language; most bytes first'),
  primary_language: z
    .string()
    .max(200)
    .nullable()
    .describe('Most bytes among programming and markup languages outside vendored, generated and docs files'),
  totals: z.strictObject({ files: count, bytes: count, code: count, comment: count, blank: count }),
  vendored_percent: percent.describe('Share of all files that are vendored'),
  generated_percent: percent.describe('Share of all files that are generated'),
  test_percent: percent.describe('Share of all files in the test category'),
  docs_percent: percent.describe('Share of all files in the docs category'),
});

export const StructureSchema = z.strictObject({
  manifests: z.array(z.strictObject({ path, ecosystem: ecosystem.nullable(), kind: z.string().max(64) })),
  build_systems: z.array(z.string().max(64)),
  frameworks: z.array(z.strictObject({ name: z.string().max(64), ecosystem, manifest_path: path })),
  entry_points: z.array(z.strictObject({ path, source: z.string().max(200) })),
  ci_files: z.array(z.strictObject({ path, provider: z.string().max(64) })),
  container_files: z.array(z.strictObject({ path, kind: z.string().max(64) })),
  infrastructure_files: z.array(z.strictObject({ path, kind: z.string().max(64) })),
  workspaces: z.array(
    z.strictObject({
      tool: z.string().max(64),
      manifest_path: path,
      packages: z.array(path).describe('Directories of the member packages found in the checkout'),
    }),
  ),
});

export const DependencySchema = z.strictObject({
  name: z.string().max(300),
  constraint: z.string().max(300).nullable().describe('As written in the manifest; null when none'),
  scope: z.enum(['runtime', 'dev']),
  ecosystem,
  manifest_path: path,
});
export type Dependency = z.infer<typeof DependencySchema>;

export const DependenciesSchema = z.strictObject({
  total: count,
  by_ecosystem: z.record(z.string(), count),
  items: z.array(DependencySchema),
  truncated: z.boolean().describe('True when more dependencies were found than the report keeps'),
});

export const LicenseSchema = z.strictObject({
  spdx_id: z.string().max(200).nullable(),
  confidence: z
    .number()
    .min(0)
    .max(1)
    .describe('Dice coefficient of word bigrams against the SPDX text; 1 when declared'),
  file: path.nullable(),
  source: z.enum(['file', 'declared']).nullable(),
  declared: z.array(z.strictObject({ manifest_path: path, expression: z.string().max(300) })),
});

export const ActivitySchema = z.strictObject({
  commits: count,
  contributors: count,
  first_commit_at: isoTimestamp.nullable(),
  last_commit_at: isoTimestamp.nullable(),
  commits_per_week: z
    .array(z.strictObject({ week_start: isoTimestamp, commits: count }))
    .describe('12 weeks ending at analyzed_at, oldest first'),
  bus_factor: count.describe('Smallest number of authors whose commits cover at least 50 % of all commits'),
  top_contributors: z.array(z.strictObject({ name: z.string().max(300), commits: count })),
  top_churn_files: z.array(z.strictObject({ path, commits: count })),
});

export const ComplexitySchema = z.strictObject({
  files_measured: count,
  total: count,
  average: z.number().nonnegative(),
  max: z.strictObject({ path, complexity: count }).nullable(),
  hotspots: z
    .array(z.strictObject({ path, complexity: count, churn: count, score: count }))
    .describe('Top 10 by complexity × churn'),
});

export const SecurityCheckSchema = z.strictObject({
  name: z.string().max(64),
  score: z.number().min(0).max(10).nullable().describe('0-10; null when the check does not apply'),
  weight: z.number().positive(),
  reason: z.string().max(500),
});

export const SecuritySchema = z.strictObject({
  score: z.number().min(0).max(10).nullable().describe('Weighted mean of the applicable checks, 1 decimal'),
  checks: z.array(SecurityCheckSchema),
  secrets: z.array(z.strictObject({ type: z.string().max(200), path, line: count })),
  security_policy: path.nullable(),
  lock_files: z.array(path),
  ci_present: z.boolean(),
  dangerous_workflow_patterns: z.array(z.strictObject({ path, line: count, pattern: z.string().max(200) })),
});

export const SizeSchema = z.strictObject({
  files: count,
  bytes: count,
  code_lines: count,
  tokens_included: count.describe('o200k tokens of the files File Selection included'),
  tokens_all: count.describe('o200k tokens of every file whose content was read'),
  kloc: z.number().nonnegative(),
  cocomo: z.strictObject({
    model: z.literal('basic-organic'),
    effort_person_months: z.number().nonnegative(),
    schedule_months: z.number().nonnegative(),
    people: z.number().nonnegative(),
  }),
});

const citation = z.strictObject({ path, start_line: count, end_line: count });

export const SummarySchema = z.strictObject({
  generated_by: z
    .enum(['deterministic', 'llm'])
    .describe('`deterministic`: README and facts, no model; `llm`: written by `model` from RAG context'),
  title: z.string().max(300),
  text: z.string().max(4000),
  readme_path: path.nullable(),
  citations: z
    .array(citation)
    .describe('Lines the text rests on; for `llm`, only citations found inside the context the model was given'),
  model: z
    .string()
    .max(200)
    .optional()
    .describe('The model that wrote `text`, as its server named it; only when generated_by is `llm`'),
  rejected_citations: z
    .array(citation)
    .max(50)
    .optional()
    .describe(
      'Citations the model wrote to files or lines outside the context it was given (flagged in `text`); only when generated_by is `llm`',
    ),
});

export const CoverageSchema = z.strictObject({
  files_total: count,
  included: count,
  excluded: count,
  excluded_by_reason: z.record(z.string(), count),
  budget: count.nullable(),
  partial: z.boolean(),
  coverage_percent: percent,
  files_counted: count.describe('Files whose lines the analysis counted'),
  files_unreadable: z.array(path).describe('Files the analysis expected to read but could not (first 50)'),
  failed_stages: z.array(z.string().max(64)),
  warnings: z.array(z.strictObject({ path, message: z.string().max(500) })),
  fallbacks: z
    .array(z.strictObject({ section: z.string().max(64), reason: z.string().max(500) }))
    .max(20)
    .optional()
    .describe(
      'Sections built the fallback way because the preferred way failed, and why (e.g. the summary when the LLM failed); absent in reports written before this field',
    ),
});

export const ChangesSchema = z.strictObject({
  previous_commit: z.string().max(64),
  previous_analyzed_at: isoTimestamp,
  languages: z.array(
    z.strictObject({
      language: z.string().max(200),
      code_before: count,
      code_after: count,
      files_before: count,
      files_after: count,
    }),
  ),
  primary_language: z.strictObject({ before: z.string().nullable(), after: z.string().nullable() }).nullable(),
  dependencies: z.strictObject({
    added: z.array(DependencySchema),
    removed: z.array(DependencySchema),
    changed: z.array(DependencySchema.extend({ constraint_before: z.string().max(300).nullable() })),
  }),
  license: z.strictObject({ before: z.string().nullable(), after: z.string().nullable() }).nullable(),
  security_score: z.strictObject({ before: z.number().nullable(), after: z.number().nullable() }).nullable(),
  size: z
    .strictObject({
      code_lines_before: count,
      code_lines_after: count,
      files_before: count,
      files_after: count,
      tokens_before: count,
      tokens_after: count,
    })
    .nullable(),
});
export type ReportChanges = z.infer<typeof ChangesSchema>;

export const ReportSchema = z
  .strictObject({
    report_version: z.literal(REPORT_VERSION),
    identity: IdentitySchema,
    composition: CompositionSchema,
    structure: StructureSchema,
    dependencies: DependenciesSchema,
    license: LicenseSchema,
    activity: ActivitySchema,
    complexity: ComplexitySchema,
    security: SecuritySchema,
    size: SizeSchema,
    summary: SummarySchema,
    coverage: CoverageSchema,
    changes_since_previous: ChangesSchema.nullable().describe('Null on the first report of a repository'),
  })
  .describe('repolens Project Analysis report');

export type Report = z.infer<typeof ReportSchema>;
export type ReportComposition = z.infer<typeof CompositionSchema>;
export type ReportStructure = z.infer<typeof StructureSchema>;
export type ReportDependencies = z.infer<typeof DependenciesSchema>;
export type ReportLicense = z.infer<typeof LicenseSchema>;
export type ReportActivity = z.infer<typeof ActivitySchema>;
export type ReportComplexity = z.infer<typeof ComplexitySchema>;
export type ReportSecurity = z.infer<typeof SecuritySchema>;
export type SecurityCheck = z.infer<typeof SecurityCheckSchema>;
export type ReportSize = z.infer<typeof SizeSchema>;
export type ReportSummary = z.infer<typeof SummarySchema>;
export type ReportCitation = z.infer<typeof citation>;
export type ReportCoverage = z.infer<typeof CoverageSchema>;
