/** Section 4: every ecosystem's manifest parsed into exact name / constraint / scope rows. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckoutReader } from '../../../../src/services/analysis/checkout-reader.js';
import { buildDependencies, collectManifests } from '../../../../src/services/analysis/dependencies/collect.js';
import { buildStructure } from '../../../../src/services/analysis/structure.js';
import { makeFixture, type Fixture } from './fixture.js';

const FILES = {
  'package.json': JSON.stringify({
    name: 'widget',
    main: 'dist/index.js',
    bin: { widget: './bin/widget.js' },
    license: 'MIT',
    workspaces: ['packages/*', '!packages/ignored'],
    dependencies: { express: '^4.21.0', react: '18.3.1' },
    peerDependencies: { react: '>=18' },
    devDependencies: { vitest: '~4.0.0' },
  }),
  'packages/a/package.json': JSON.stringify({ name: 'a', dependencies: { lodash: '4.17.21' } }),
  'packages/ignored/package.json': JSON.stringify({ name: 'ignored' }),
  'node_modules/left-pad/package.json': { content: JSON.stringify({ dependencies: { evil: '1' } }), vendored: true },
  'requirements.txt':
    '# comment\nDjango>=4.2,<5 ; python_version >= "3.8"\nrequests[socks]==2.32.3  # pinned\n-r other.txt\n-e git+https://x/y.git#egg=y\nnumpy\n',
  'requirements-dev.txt': 'pytest>=8\n',
  'py/pyproject.toml': `
[project]
name = "py"
license = "Apache-2.0"
dependencies = ["fastapi>=0.110", "pydantic (>=2,<3)"]
[project.optional-dependencies]
test = ["pytest-cov"]
postgres = ["psycopg[binary]>=3"]
[project.scripts]
py-cli = "py.cli:main"
[dependency-groups]
lint = ["ruff==0.5.0"]
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
`,
  'poetry/pyproject.toml': `
[tool.poetry]
name = "p"
[tool.poetry.dependencies]
python = "^3.11"
flask = "^3.0"
sqlalchemy = { version = "^2.0", extras = ["asyncio"] }
[tool.poetry.group.dev.dependencies]
black = "24.4.2"
[build-system]
build-backend = "poetry.core.masonry.api"
`,
  'go.mod': `module example.com/widget

go 1.22

require github.com/gin-gonic/gin v1.10.0

require (
\tgolang.org/x/text v0.16.0 // indirect
\tgithub.com/stretchr/testify v1.9.0
)
`,
  'Cargo.toml': `
[package]
name = "w"
license = "MIT OR Apache-2.0"
[dependencies]
serde = { version = "1.0", features = ["derive"] }
tokio = "1.38"
local = { path = "../local" }
[dev-dependencies]
proptest = "1.4"
[target.'cfg(unix)'.dependencies]
nix = "0.29"
[workspace]
members = ["crates/*"]
`,
  'crates/core/Cargo.toml': '[package]\nname = "core"\n',
  'pom.xml': `<?xml version="1.0"?>
<project>
  <!-- <dependency><groupId>commented</groupId><artifactId>out</artifactId></dependency> -->
  <dependencyManagement><dependencies><dependency><groupId>managed</groupId><artifactId>bom</artifactId><version>1</version></dependency></dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-web</artifactId><version>3.3.0</version></dependency>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>\${junit.version}</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build><plugins><plugin><dependencies><dependency><groupId>plugin</groupId><artifactId>dep</artifactId></dependency></dependencies></plugin></plugins></build>
</project>`,
  'app/build.gradle.kts': `
plugins { id("java") }
dependencies {
    implementation("com.google.guava:guava:33.2.1-jre")
    // implementation("commented:out:1")
    testImplementation("org.junit.jupiter:junit-jupiter:5.10.2")
    runtimeOnly(group = "org.postgresql", name = "postgresql", version = "42.7.3")
}
`,
  'lib/build.gradle':
    "dependencies {\n  api 'org.apache.commons:commons-lang3:3.14.0'\n  compileOnly group: 'org.projectlombok', name: 'lombok', version: '1.18.32'\n}\n",
  Gemfile: `source "https://rubygems.org"
gem "rails", "~> 7.1", ">= 7.1.3"
gem 'pg'
group :development, :test do
  gem "rspec-rails", "~> 6.1"
end
gem "rubocop", require: false, group: :development
`,
  'composer.json': JSON.stringify({
    require: { php: '>=8.2', 'ext-json': '*', 'laravel/framework': '^11.0' },
    'require-dev': { 'phpunit/phpunit': '^11.0' },
  }),
  'src/App/App.csproj': `<Project Sdk="Microsoft.NET.Sdk">
  <ItemGroup>
    <PackageReference Include="Microsoft.AspNetCore.OpenApi" Version="8.0.6" />
    <PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" />
    <PackageReference Include="Serilog">
      <Version>4.0.0</Version>
    </PackageReference>
  </ItemGroup>
</Project>`,
  'legacy/packages.config': `<?xml version="1.0" encoding="utf-8"?>
<packages>
  <package id="Newtonsoft.Json" version="13.0.3" targetFramework="net48" />
  <package id="NUnit" version="3.14.0" developmentDependency="true" />
</packages>`,
  'broken/package.json': '{ not json',
};

describe('dependencies', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await makeFixture(FILES);
  });
  afterAll(async () => fixture.cleanup());

  const depsOf = async (manifestPath: string): Promise<[string, string | null, string][]> => {
    const manifests = await collectManifests(fixture.manifest.files, createCheckoutReader(fixture.root));
    return buildDependencies(manifests)
      .items.filter((d) => d.manifest_path === manifestPath)
      .map((d) => [d.name, d.constraint, d.scope]);
  };

  it('npm: runtime, peer (once) and dev; vendored package.json ignored', async () => {
    expect(await depsOf('package.json')).toEqual([
      ['express', '^4.21.0', 'runtime'],
      ['react', '18.3.1', 'runtime'],
      ['vitest', '~4.0.0', 'dev'],
    ]);
    expect(await depsOf('node_modules/left-pad/package.json')).toEqual([]);
  });

  it('PyPI requirements: PEP 508 names and constraints, markers, extras and options dropped; -dev file is dev', async () => {
    expect(await depsOf('requirements.txt')).toEqual([
      ['Django', '>=4.2,<5', 'runtime'],
      ['requests', '==2.32.3', 'runtime'],
      ['numpy', null, 'runtime'],
    ]);
    expect(await depsOf('requirements-dev.txt')).toEqual([['pytest', '>=8', 'dev']]);
  });

  it('PyPI pyproject: PEP 621, extras by name, PEP 735 groups, and Poetry', async () => {
    expect(await depsOf('py/pyproject.toml')).toEqual([
      ['fastapi', '>=0.110', 'runtime'],
      ['pydantic', '>=2,<3', 'runtime'],
      ['pytest-cov', null, 'dev'],
      ['psycopg', '>=3', 'runtime'],
      ['ruff', '==0.5.0', 'dev'],
    ]);
    expect(await depsOf('poetry/pyproject.toml')).toEqual([
      ['flask', '^3.0', 'runtime'],
      ['sqlalchemy', '^2.0', 'runtime'],
      ['black', '24.4.2', 'dev'],
    ]);
  });

  it('Go modules: single and block requires, indirect included', async () => {
    expect(await depsOf('go.mod')).toEqual([
      ['github.com/gin-gonic/gin', 'v1.10.0', 'runtime'],
      ['golang.org/x/text', 'v0.16.0', 'runtime'],
      ['github.com/stretchr/testify', 'v1.9.0', 'runtime'],
    ]);
  });

  it('Cargo: tables, path dependencies, dev and target-specific dependencies', async () => {
    expect(await depsOf('Cargo.toml')).toEqual([
      ['serde', '1.0', 'runtime'],
      ['tokio', '1.38', 'runtime'],
      ['local', 'path ../local', 'runtime'],
      ['proptest', '1.4', 'dev'],
      ['nix', '0.29', 'runtime'],
    ]);
  });

  it('Maven: project dependencies only (not comments, dependencyManagement or plugins), test scope is dev', async () => {
    expect(await depsOf('pom.xml')).toEqual([
      ['org.springframework.boot:spring-boot-starter-web', '3.3.0', 'runtime'],
      ['org.junit.jupiter:junit-jupiter', '${junit.version}', 'dev'],
    ]);
  });

  it('Gradle: string and map notation, Kotlin and Groovy DSL, comments skipped', async () => {
    expect(await depsOf('app/build.gradle.kts')).toEqual([
      ['com.google.guava:guava', '33.2.1-jre', 'runtime'],
      ['org.junit.jupiter:junit-jupiter', '5.10.2', 'dev'],
      ['org.postgresql:postgresql', '42.7.3', 'runtime'],
    ]);
    expect(await depsOf('lib/build.gradle')).toEqual([
      ['org.apache.commons:commons-lang3', '3.14.0', 'runtime'],
      ['org.projectlombok:lombok', '1.18.32', 'runtime'],
    ]);
  });

  it('RubyGems: constraints joined, group blocks and group options are dev', async () => {
    expect(await depsOf('Gemfile')).toEqual([
      ['rails', '~> 7.1, >= 7.1.3', 'runtime'],
      ['pg', null, 'runtime'],
      ['rspec-rails', '~> 6.1', 'dev'],
      ['rubocop', null, 'dev'],
    ]);
  });

  it('Composer: platform requirements skipped', async () => {
    expect(await depsOf('composer.json')).toEqual([
      ['laravel/framework', '^11.0', 'runtime'],
      ['phpunit/phpunit', '^11.0', 'dev'],
    ]);
  });

  it('NuGet: PackageReference attributes and child Version, PrivateAssets=all and developmentDependency are dev', async () => {
    expect(await depsOf('src/App/App.csproj')).toEqual([
      ['Microsoft.AspNetCore.OpenApi', '8.0.6', 'runtime'],
      ['StyleCop.Analyzers', '1.1.118', 'dev'],
      ['Serilog', '4.0.0', 'runtime'],
    ]);
    expect(await depsOf('legacy/packages.config')).toEqual([
      ['Newtonsoft.Json', '13.0.3', 'runtime'],
      ['NUnit', '3.14.0', 'dev'],
    ]);
  });

  it('counts per ecosystem and reports an unparsable manifest instead of failing', async () => {
    const manifests = await collectManifests(fixture.manifest.files, createCheckoutReader(fixture.root));
    const deps = buildDependencies(manifests);
    expect(deps.by_ecosystem).toEqual({
      npm: 4,
      pypi: 12,
      go: 3,
      cargo: 5,
      maven: 2,
      gradle: 5,
      rubygems: 4,
      composer: 2,
      nuget: 5,
    });
    expect(deps.total).toBe(42);
    expect(deps.truncated).toBe(false);
    expect(manifests.find((m) => m.path === 'broken/package.json')?.parsed?.warning).toMatch(/^unparsable/);
  });

  it('structure: build systems, frameworks, entry points and workspace members', async () => {
    const manifests = await collectManifests(fixture.manifest.files, createCheckoutReader(fixture.root));
    const structure = buildStructure(fixture.manifest.files, manifests);
    expect(structure.build_systems).toEqual([
      'bundler',
      'cargo',
      'composer',
      'dotnet',
      'go',
      'gradle',
      'hatch',
      'maven',
      'npm',
      'nuget',
      'pip',
      'poetry',
    ]);
    expect(structure.frameworks.map((f) => `${f.name} ${f.manifest_path}`)).toEqual([
      'ASP.NET Core src/App/App.csproj',
      'Django requirements.txt',
      'Express package.json',
      'FastAPI py/pyproject.toml',
      'Flask poetry/pyproject.toml',
      'Gin go.mod',
      'JUnit app/build.gradle.kts',
      'JUnit pom.xml',
      'Laravel composer.json',
      'NUnit legacy/packages.config',
      'PHPUnit composer.json',
      'Rails Gemfile',
      'React package.json',
      'Spring Boot pom.xml',
      'Tokio Cargo.toml',
      'Vitest package.json',
      'pytest requirements-dev.txt',
    ]);
    expect(structure.entry_points).toEqual([
      { path: 'dist/index.js', source: 'package.json main' },
      { path: 'bin/widget.js', source: 'package.json bin' },
      { path: 'py.cli:main', source: 'pyproject.toml script py-cli' },
    ]);
    expect(structure.workspaces).toEqual([
      { tool: 'cargo-workspace', manifest_path: 'Cargo.toml', packages: ['crates/core'] },
      { tool: 'npm-workspaces', manifest_path: 'package.json', packages: ['packages/a'] },
    ]);
  });
});
