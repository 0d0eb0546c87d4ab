/**
 * `changes_since_previous`: what changed between two reports of the same repository, for the
 * facts people watch: languages (code lines and files, added/removed/changed only), the primary
 * language, dependencies (keyed by ecosystem, manifest, name and scope; a changed constraint is
 * "changed"), license, security score and size. Unchanged facts are null or empty lists, so an
 * empty diff is recognisable at a glance.
 */
import type { Dependency, Report, ReportChanges } from '../../contracts/report.js';

function dependencyKey(d: Dependency): string {
  return `${d.ecosystem}\0${d.manifest_path}\0${d.name}\0${d.scope}`;
}

export function diffReports(previous: Report, current: Report): ReportChanges {
  const before = new Map(previous.composition.languages.map((l) => [l.language, l]));
  const after = new Map(current.composition.languages.map((l) => [l.language, l]));
  const languages = [...new Set([...before.keys(), ...after.keys()])].sort().flatMap((language) => {
    const b = before.get(language);
    const a = after.get(language);
    const row = {
      language,
      code_before: b?.code ?? 0,
      code_after: a?.code ?? 0,
      files_before: b?.files ?? 0,
      files_after: a?.files ?? 0,
    };
    return row.code_before === row.code_after && row.files_before === row.files_after ? [] : [row];
  });

  const oldDeps = new Map(previous.dependencies.items.map((d) => [dependencyKey(d), d]));
  const newDeps = new Map(current.dependencies.items.map((d) => [dependencyKey(d), d]));
  const added = [...newDeps.entries()].filter(([key]) => !oldDeps.has(key)).map(([, d]) => d);
  const removed = [...oldDeps.entries()].filter(([key]) => !newDeps.has(key)).map(([, d]) => d);
  const changed = [...newDeps.entries()].flatMap(([key, d]) => {
    const old = oldDeps.get(key);
    return old !== undefined && old.constraint !== d.constraint ? [{ ...d, constraint_before: old.constraint }] : [];
  });

  const sizeChanged =
    previous.size.code_lines !== current.size.code_lines ||
    previous.size.files !== current.size.files ||
    previous.size.tokens_all !== current.size.tokens_all;
  return {
    previous_commit: previous.identity.commit,
    previous_analyzed_at: previous.identity.analyzed_at,
    languages,
    primary_language:
      previous.composition.primary_language === current.composition.primary_language
        ? null
        : { before: previous.composition.primary_language, after: current.composition.primary_language },
    dependencies: { added, removed, changed },
    license:
      previous.license.spdx_id === current.license.spdx_id
        ? null
        : { before: previous.license.spdx_id, after: current.license.spdx_id },
    security_score:
      previous.security.score === current.security.score
        ? null
        : { before: previous.security.score, after: current.security.score },
    size: sizeChanged
      ? {
          code_lines_before: previous.size.code_lines,
          code_lines_after: current.size.code_lines,
          files_before: previous.size.files,
          files_after: current.size.files,
          tokens_before: previous.size.tokens_all,
          tokens_after: current.size.tokens_all,
        }
      : null,
  };
}
