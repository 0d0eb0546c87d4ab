/**
 * NuGet: `<PackageReference Include="X" Version="1.0" />` (or a `<Version>` child) in *.csproj,
 * *.fsproj, *.vbproj and Directory.Packages.props-style files; `PrivateAssets="all"` (analyzers,
 * build tools that do not flow to consumers) is dev. packages.config `<package id version
 * developmentDependency>`.
 */
import type { Dependency } from '../../../contracts/report.js';
import { dependency, type ParsedManifest } from './parsed-manifest.js';
import { childText, stripXmlComments, tags } from './xml.js';

export function parseProjectFile(path: string, content: string): ParsedManifest {
  const xml = stripXmlComments(content);
  const dependencies: Dependency[] = [];
  for (const tag of tags(xml, 'PackageReference')) {
    const name = tag.attributes.include ?? tag.attributes.update;
    if (name === undefined) continue;
    const version = tag.attributes.version ?? childText(tag.body, 'Version');
    const privateAssets = (tag.attributes.privateassets ?? childText(tag.body, 'PrivateAssets') ?? '').toLowerCase();
    dependencies.push(dependency('nuget', path, name, version, privateAssets === 'all' ? 'dev' : 'runtime'));
  }
  return { dependencies, buildSystem: 'dotnet' };
}

export function parsePackagesConfig(path: string, content: string): ParsedManifest {
  const dependencies: Dependency[] = [];
  for (const tag of tags(stripXmlComments(content), 'package')) {
    const name = tag.attributes.id;
    if (name === undefined) continue;
    const dev = tag.attributes.developmentdependency === 'true';
    dependencies.push(dependency('nuget', path, name, tag.attributes.version ?? null, dev ? 'dev' : 'runtime'));
  }
  return { dependencies, buildSystem: 'nuget' };
}
