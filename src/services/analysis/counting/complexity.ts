/**
 * fileComplexity: a file's cyclomatic-style complexity, 1 + its branch points (branch-table.ts),
 * counted only in code: the scanner hands over the stretches outside comments, strings, regex and
 * character literals, so `// if` or `"a && b"` never count. Regions in another language (a Vue
 * file's `<script lang="ts">`) count with that language's table.
 */
import { branchTableFor, type BranchTable } from './branch-table.js';
import { compiledSyntax, LineTally, scanRange, type CodeSegment } from './scanner.js';

/** Words and the operators any table may name; `?` alone is checked for the spaced ternary. */
const TOKEN = /[A-Za-z_$][\w$]*|&&|\|\||\?\?|\?:|;;|=>|\?/g;

const isBlank = (char: string): boolean => char === ' ' || char === '\t' || char === '\n' || char === '\r';

function countSegment(text: string, segment: CodeSegment, branches: BranchTable): number {
  let count = 0;
  TOKEN.lastIndex = segment.start;
  for (let match = TOKEN.exec(text); match !== null; match = TOKEN.exec(text)) {
    const token = match[0];
    const at = match.index;
    if (at + token.length > segment.end) break;
    const first = token.charCodeAt(0);
    const isWord = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first === 95 || first === 36;
    if (isWord) {
      const word = branches.caseInsensitive === true ? token.toLowerCase() : token;
      if (!branches.keywords.has(word)) continue;
      if (branches.keywordPrefix !== undefined && text.charAt(at - 1) !== branches.keywordPrefix) continue;
      // `obj.if`, `$if`: a member or a variable, not the keyword.
      if (at > 0 && text.charAt(at - 1) === '.' && branches.keywordPrefix === undefined) continue;
      count++;
    } else if (token === '?') {
      if (branches.ternary && at > 0 && isBlank(text.charAt(at - 1)) && isBlank(text.charAt(at + 1) || '\n')) count++;
    } else if (branches.operators.has(token)) count++;
  }
  return count;
}

/**
 * 1 + the branch points of `content` in `language` (a Linguist name). Data and markup languages
 * with no control flow (JSON, YAML, TOML, CSS, Markdown, XML, plain text, unknown names) return 0,
 * so summing over a repository does not count its data files as paths.
 */
export function fileComplexity(content: string, language: string): number {
  const segments: CodeSegment[] = [];
  scanRange(content, 0, content.length, compiledSyntax(language), new LineTally(), segments);
  const own = branchTableFor(language);
  let branchPoints = 0;
  let hasCode = own !== undefined;
  for (const segment of segments) {
    const branches = segment.language === language ? own : branchTableFor(segment.language);
    if (branches === undefined) continue;
    hasCode = true;
    branchPoints += countSegment(content, segment, branches);
  }
  return hasCode ? 1 + branchPoints : 0;
}
