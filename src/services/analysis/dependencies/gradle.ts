/**
 * Gradle build.gradle / build.gradle.kts: dependency declarations in string notation
 * (`implementation 'g:a:v'`, `testImplementation("g:a:v")`) and map notation
 * (`implementation group: 'g', name: 'a', version: 'v'`). Configurations starting with `test`
 * or `androidTest` are dev; annotation processors and compile-only are runtime (they shape the
 * build's output). Project dependencies (`project(':x')`), platform() and version catalogs
 * (`libs.foo`) are not resolved: a regex over the file, not a Gradle evaluation.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, type ParsedManifest } from './parsed-manifest.js';
import { removeSpans } from './xml.js';

const CONFIGURATION =
  '(implementation|api|compile|compileOnly|runtimeOnly|runtime|testImplementation|testCompile|testCompileOnly|testRuntimeOnly|androidTestImplementation|debugImplementation|releaseImplementation|kapt|ksp|annotationProcessor|classpath)';
const STRING_NOTATION = new RegExp(
  `\\b${CONFIGURATION}\\s*\\(?\\s*["']([^"'\\s:]+):([^"'\\s:]+)(?::([^"'\\s]+))?["']`,
  'g',
);
const MAP_NOTATION = new RegExp(
  `\\b${CONFIGURATION}\\s*\\(?\\s*group\\s*[:=]\\s*["']([^"']+)["']\\s*,\\s*name\\s*[:=]\\s*["']([^"']+)["'](?:\\s*,\\s*version\\s*[:=]\\s*["']([^"']+)["'])?`,
  'g',
);

function scopeOf(configuration: string): 'runtime' | 'dev' {
  return configuration.startsWith('test') || configuration.startsWith('androidTest') ? 'dev' : 'runtime';
}

export function parseGradle(path: string, content: string): ParsedManifest {
  const code = removeSpans(content, '/*', '*/').replace(/(^|\s)\/\/.*$/gm, '$1');
  const dependencies: Dependency[] = [];
  for (const pattern of [STRING_NOTATION, MAP_NOTATION]) {
    for (const m of code.matchAll(pattern)) {
      const configuration = m[1] as string;
      if (configuration === 'classpath') continue; // buildscript plugins, not the project's dependencies
      dependencies.push(dependency('gradle', path, `${m[2]}:${m[3]}`, m[4] ?? null, scopeOf(configuration)));
    }
  }
  return { dependencies, buildSystem: 'gradle' };
}
