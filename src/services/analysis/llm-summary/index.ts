/** The model-written summary (see ../README.md, "Summary with an LLM"). */
export { writeLlmSummary, type LlmSummaryDeps, type LlmSummaryInput, type LlmSummaryOutcome } from './model-summary.js';
