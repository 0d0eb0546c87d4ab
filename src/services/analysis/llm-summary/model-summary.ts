/**
 * Section 10 written by a language model (issue 8): gather context from the RAG index for this
 * repository and commit, ask the model for a short summary citing `path:line`, keep only the
 * citations found in that context, and record the model's name. The deterministic summary is
 * built first and stays the answer whenever this cannot do better — no context for the commit,
 * the model failing after its adapter's retries, an empty answer, or one whose citations are all
 * outside the context — with the reason returned for the report's coverage section. An analysis
 * never fails because of the model; only an aborted signal stops it.
 */
import type { ReportSummary } from '../../../contracts/report.js';
import { isRepolensError } from '../../../domain/errors.js';
import { redactSecrets } from '../../../domain/redaction.js';
import type { ChunkIndex } from '../../../ports/chunk-index.js';
import type { Embedder } from '../../../ports/embedder.js';
import type { Llm } from '../../../ports/llm.js';
import type { CheckoutReader } from '../checkout-reader.js';
import { factSentences, projectName, type SummaryFacts } from '../summary.js';
import { clean } from '../text.js';
import { checkCitations, type Citation } from './citations.js';
import { gatherContext } from './context.js';
import { buildSummaryPrompt, SUMMARY_SYSTEM_PROMPT } from './prompt.js';

/** What the analysis needs to have the summary written by a model. */
export interface LlmSummaryDeps {
  readonly llm: Llm;
  readonly index: ChunkIndex;
  /** Makes the context search hybrid; lexical without (or when it fails). */
  readonly embedder?: Embedder;
}

export interface LlmSummaryInput {
  readonly repositoryUrl: string;
  readonly commit: string;
  readonly reader: CheckoutReader;
  readonly facts: SummaryFacts;
  /** The README-and-facts summary: its title and README are kept, and it is the fallback. */
  readonly deterministic: ReportSummary;
  readonly signal?: AbortSignal;
}

export type LlmSummaryOutcome =
  | { readonly summary: ReportSummary }
  /** Why the deterministic summary stands (for `coverage.fallbacks`). */
  | { readonly fallback: string };

/** Room for ~150 words plus citations, and for the reasoning some local models print first. */
const MAX_ANSWER_TOKENS = 800;
const MAX_ANSWER_CHARS = 20_000;
const MIN_SUMMARY_CHARS = 20;

/** Drops the `<think>…</think>` reasoning some local models (Qwen3, DeepSeek-R1) put before the answer. */
export function withoutReasoning(text: string): string {
  const closed = text.slice(0, MAX_ANSWER_CHARS).replace(/<think>[\s\S]*?<\/think>/gi, '');
  // An unclosed block means the reasoning used up the tokens: no answer follows it.
  const open = closed.search(/<think>/i);
  return (open === -1 ? closed : closed.slice(0, open)).trim();
}

const toReport = (c: Citation): { path: string; start_line: number; end_line: number } => ({
  path: clean(c.path, 4096),
  start_line: c.startLine,
  end_line: c.endLine,
});

function failureReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(isRepolensError(error) ? `${error.code}: ${message}` : message);
}

export async function writeLlmSummary(deps: LlmSummaryDeps, input: LlmSummaryInput): Promise<LlmSummaryOutcome> {
  const model = deps.llm.model;
  try {
    const context = await gatherContext({
      index: deps.index,
      embedder: deps.embedder,
      repositoryUrl: input.repositoryUrl,
      commit: input.commit,
      reader: input.reader,
      readmePath: input.deterministic.readme_path,
      signal: input.signal,
    });
    if ('missing' in context) return { fallback: `no context for the model: ${context.missing}` };
    const name = projectName(input.repositoryUrl);
    const completion = await deps.llm.complete({
      system: SUMMARY_SYSTEM_PROMPT,
      messages: [
        {
          role: 'user',
          content: buildSummaryPrompt({ name, facts: factSentences(input.facts, name), snippets: context.snippets }),
        },
      ],
      maxTokens: MAX_ANSWER_TOKENS,
      signal: input.signal,
    });
    const answer = withoutReasoning(completion.text);
    if (answer.length < MIN_SUMMARY_CHARS) return { fallback: `the model ${model} returned no usable text` };
    const checked = checkCitations(answer, context.snippets);
    if (checked.citations.length === 0) {
      return {
        fallback:
          checked.rejected.length === 0
            ? `the model ${model} cited no lines of the context it was given`
            : `every citation of the model ${model} was outside the context it was given (${checked.rejected.length} rejected)`,
      };
    }
    return {
      summary: {
        generated_by: 'llm',
        title: input.deterministic.title,
        text: clean(checked.text, 4000, true),
        readme_path: input.deterministic.readme_path,
        citations: checked.citations.slice(0, 50).map(toReport),
        model: clean(completion.model, 200),
        rejected_citations: checked.rejected.slice(0, 50).map(toReport),
      },
    };
  } catch (error: unknown) {
    // Stopping is not a model failure: the stage is being aborted and must see it.
    if (input.signal?.aborted === true) throw error;
    return { fallback: `the model ${model} failed: ${failureReason(error)}` };
  }
}
