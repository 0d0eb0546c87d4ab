/**
 * Maven pom.xml: `<dependency>` elements of the project's `<dependencies>` as `groupId:artifactId`
 * with the `<version>` as written (`${property}` kept); scope `test` is dev, every other scope
 * (compile, runtime, provided, system, import) runtime. `<dependencyManagement>` (versions for
 * children, not dependencies) and `<build>` (plugins) are skipped; `<modules>` are workspace members.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, type ParsedManifest } from './parsed-manifest.js';
import { childText, elements, stripXmlComments, without } from './xml.js';

export function parsePomXml(path: string, content: string): ParsedManifest {
  const xml = without(without(without(stripXmlComments(content), 'dependencyManagement'), 'build'), 'profiles');
  const dependencies: Dependency[] = [];
  for (const block of elements(xml, 'dependency')) {
    const group = childText(block, 'groupId');
    const artifact = childText(block, 'artifactId');
    if (group === null || artifact === null) continue;
    const scope = childText(block, 'scope') === 'test' ? 'dev' : 'runtime';
    dependencies.push(dependency('maven', path, `${group}:${artifact}`, childText(block, 'version'), scope));
  }
  const modules = elements(xml, 'modules').flatMap((block) => elements(block, 'module').map((m) => m.trim()));
  const license = elements(xml, 'licenses').flatMap((block) => elements(block, 'name').map((n) => n.trim()))[0];
  return {
    dependencies,
    buildSystem: 'maven',
    ...(modules.length > 0 ? { workspaces: { tool: 'maven-modules', patterns: modules } } : {}),
    ...(license === undefined || license === '' ? {} : { license }),
  };
}
