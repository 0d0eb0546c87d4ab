/**
 * Secret scanning of the files selection would include: secretlint's recommended preset (AWS,
 * GCP, GitHub, Slack, npm, private keys, basic auth in URLs, ...) plus one rule of ours the preset
 * lacks: a `.env` file assigning a value to a secret-looking variable (`API_TOKEN=...`).
 * A finding keeps the rule id, the path and the 1-based line, never the matched text: secretlint
 * runs with masking on and its messages are dropped here.
 *
 * secretlint's shared profiler records a performance mark per rule per file and keeps every one
 * for the life of the process (and searches them linearly on each new mark): a long-running
 * worker scanning many files slows down quadratically and grows without bound. Nothing of ours
 * reads those measurements, so on first use the profiler's `mark` becomes a no-op.
 */
import { lintSource } from '@secretlint/core';
import { secretLintProfiler } from '@secretlint/profiler';
import { creator as recommendedPreset } from '@secretlint/secretlint-rule-preset-recommend';

export interface Finding {
  readonly type: string;
  readonly line: number;
}

const config = { rules: [{ id: recommendedPreset.meta.id, rule: recommendedPreset }] };
const RULE_PREFIX = '@secretlint/secretlint-rule-';

/** `.env`, `.env.local`, `prod.env`; not the templates committed on purpose. */
const DOTENV_FILE = /^(?:\.env(?:\.[^/]+)?|[^/]+\.env)$/;
const DOTENV_TEMPLATE = /\.(?:example|sample|template|dist|defaults?|schema)$/i;
const DOTENV_ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;
const SECRET_NAME =
  /(?:SECRET|TOKEN|PASSWORD|PASSWD|PWD|API_?KEY|ACCESS_?KEY|PRIVATE|CREDENTIAL|AUTH|DSN|DATABASE_URL|CONN(?:ECTION)?_?STRING)/i;
const PLACEHOLDER =
  /^(?:|changeme|change_me|xxx+|\*+|<[^>]*>|\$\{[^}]*\}|\$[A-Za-z_]\w*|your[-_].*|todo|none|null|false|true)$/i;

function dotenvFindings(name: string, text: string): Finding[] {
  if (!DOTENV_FILE.test(name) || DOTENV_TEMPLATE.test(name)) return [];
  const findings: Finding[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const match = DOTENV_ASSIGNMENT.exec(lines[index] as string);
    if (match === null || !SECRET_NAME.test(match[1] as string)) continue;
    const value = (match[2] as string)
      .replace(/\s+#.*$/, '')
      .trim()
      .replace(/^(['"])(.*)\1$/, '$2');
    if (!PLACEHOLDER.test(value)) findings.push({ type: 'dotenv-secret', line: index + 1 });
  }
  return findings;
}

let profilerSilenced = false;

function silenceProfiler(): void {
  if (profilerSilenced) return;
  secretLintProfiler.mark = () => undefined;
  profilerSilenced = true;
}

/** Findings in one file's text, ordered by line. `path` is relative to the checkout. */
export async function scanSecrets(path: string, text: string): Promise<Finding[]> {
  silenceProfiler();
  const name = path.slice(path.lastIndexOf('/') + 1);
  const result = await lintSource({
    source: { filePath: path, content: text, ext: '', contentType: 'text' },
    options: { config, maskSecrets: true, noPhysicFilePath: true },
  });
  const findings: Finding[] = result.messages.map((message) => ({
    type: message.ruleId.startsWith(RULE_PREFIX) ? message.ruleId.slice(RULE_PREFIX.length) : message.ruleId,
    line: message.loc.start.line,
  }));
  findings.push(...dotenvFindings(name, text));
  return findings.sort((a, b) => a.line - b.line || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
