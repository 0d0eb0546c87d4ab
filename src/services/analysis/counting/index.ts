/**
 * Line counting and complexity for the analysis report (issue 8): what E2's report builder calls.
 * README.md explains the algorithm and how the counts differ from cloc's.
 */
export { countLines, type LineCounts } from './count-lines.js';
export { fileComplexity } from './complexity.js';
export { languageForPath } from './language-by-path.js';
export { countingLanguages } from './syntax-table.js';
