/**
 * Cheap, line-based checks of CI definitions for the security section, modelled on OpenSSF
 * Scorecard's Dangerous-Workflow, Token-Permissions and Pinned-Dependencies checks. No YAML
 * evaluation: a regex per line, so a workflow written unusually can escape a check (documented
 * in README.md); none of them can be fooled into a false alarm by content outside workflows.
 */

/** Expressions an attacker controls (Scorecard's list of untrusted contexts). */
const UNTRUSTED =
  /\$\{\{\s*(github\.event\.(issue\.(title|body)|pull_request\.(title|body|head\.(ref|label|repo\.default_branch))|comment\.body|review\.body|review_comment\.body|pages\.[^}]*\.page_name|commits\.[^}]*\.(message|author\.(email|name))|head_commit\.(message|author\.(email|name)|committer\.(email|name))|discussion\.(title|body)|workflow_run\.head_branch)|github\.head_ref)\s*\}\}/;
const UNTRUSTED_CHECKOUT_REF = /ref\s*:\s*\$\{\{\s*github\.event\.pull_request\.head\.(sha|ref)\s*\}\}/;

export interface WorkflowFinding {
  readonly line: number;
  readonly pattern: string;
}

export function dangerousWorkflowPatterns(content: string): WorkflowFinding[] {
  const findings: WorkflowFinding[] = [];
  const lines = content.split(/\r?\n/);
  const privileged =
    /^\s*(on\s*:.*\bpull_request_target\b|pull_request_target\s*:|-\s*pull_request_target\b)/m.test(content) ||
    /^on\s*:\s*\[?[^\n]*pull_request_target/m.test(content);
  lines.forEach((line, index) => {
    // `if:` conditions evaluate expressions without a shell: not an injection.
    if (UNTRUSTED.test(line) && !/^\s*-?\s*if\s*:/.test(line)) {
      findings.push({ line: index + 1, pattern: 'script injection: untrusted github context in a step' });
    }
    if (privileged && UNTRUSTED_CHECKOUT_REF.test(line)) {
      findings.push({ line: index + 1, pattern: 'pull_request_target checks out untrusted pull request code' });
    }
  });
  return findings;
}

/** True when the workflow restricts its token at the top level (not `write-all`). */
export function hasTopLevelPermissions(content: string): boolean {
  const match = /^permissions\s*:\s*(.*)$/m.exec(content);
  return match !== null && !/write-all/.test(match[1] ?? '');
}

/** `uses:` references of a workflow: pinned when the ref is a full commit SHA (or local/digest). */
export function actionReferences(content: string): { ref: string; pinned: boolean }[] {
  const refs: { ref: string; pinned: boolean }[] = [];
  for (const match of content.matchAll(/^\s*-?\s*uses\s*:\s*["']?([^\s"'#]+)/gm)) {
    const ref = match[1] as string;
    if (ref.startsWith('./')) continue; // local action: versioned with the repository
    const pinned = ref.startsWith('docker://') ? /@sha256:[0-9a-f]{64}$/.test(ref) : /@[0-9a-f]{40}$/.test(ref);
    refs.push({ ref, pinned });
  }
  return refs;
}

/** Dockerfile base images: pinned when referenced by digest; `scratch` and earlier stages skipped. */
export function dockerBaseImages(content: string): { ref: string; pinned: boolean }[] {
  const stages = new Set<string>();
  const refs: { ref: string; pinned: boolean }[] = [];
  for (const match of content.matchAll(/^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/gim)) {
    const image = match[1] as string;
    if (match[2] !== undefined) stages.add(match[2].toLowerCase());
    if (image.toLowerCase() === 'scratch' || stages.has(image.toLowerCase()) || image.includes('$')) continue;
    refs.push({ ref: image, pinned: /@sha256:[0-9a-f]{64}$/.test(image) });
  }
  return refs;
}
