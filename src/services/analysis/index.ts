/** The Project Analysis service's public surface (issue 8); see README.md. */
export { analyzeRepository, AnalysisErrorCodes, type AnalyzeInput } from './analyze-repository.js';
export { diffReports } from './diff-reports.js';
export { renderHtml, renderMarkdown } from './render/index.js';
export { type LlmSummaryDeps } from './llm-summary/index.js';
