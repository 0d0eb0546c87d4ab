/**
 * Path rules for the structure and security sections: CI configuration, container and
 * infrastructure files, conventional entry points, license, README and security policy files.
 * Pure functions of the path; tables instead of code so they are easy to extend.
 */
import { baseName } from './text.js';

export function ciProvider(path: string): string | undefined {
  if (/^\.github\/workflows\/[^/]+\.ya?ml$/i.test(path)) return 'github-actions';
  if (path === '.gitlab-ci.yml') return 'gitlab-ci';
  if (path === '.circleci/config.yml') return 'circleci';
  if (path === 'Jenkinsfile') return 'jenkins';
  if (path === '.travis.yml') return 'travis-ci';
  if (path === 'azure-pipelines.yml') return 'azure-pipelines';
  if (path === 'bitbucket-pipelines.yml') return 'bitbucket-pipelines';
  if (path === '.drone.yml') return 'drone';
  if (path === 'appveyor.yml' || path === '.appveyor.yml') return 'appveyor';
  if (/^\.buildkite\/[^/]+\.ya?ml$/.test(path)) return 'buildkite';
  if (path === '.woodpecker.yml' || /^\.woodpecker\/[^/]+\.ya?ml$/.test(path)) return 'woodpecker';
  return undefined;
}

export function containerKind(path: string): string | undefined {
  const name = baseName(path);
  if (/^(Dockerfile|Containerfile)(\..+)?$/.test(name) || /\.(dockerfile|Dockerfile)$/.test(name)) return 'dockerfile';
  if (/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/.test(name)) return 'compose';
  if (path.endsWith('.devcontainer/devcontainer.json') || name === '.devcontainer.json') return 'devcontainer';
  return undefined;
}

export function infrastructureKind(path: string): string | undefined {
  const name = baseName(path);
  if (name.endsWith('.tf') || name.endsWith('.tf.json')) return 'terraform';
  if (name === 'Chart.yaml') return 'helm';
  if (name === 'kustomization.yaml' || name === 'kustomization.yml') return 'kustomize';
  if (/^Pulumi\.ya?ml$/.test(name)) return 'pulumi';
  if (/^serverless\.ya?ml$/.test(name)) return 'serverless';
  if (name === 'Vagrantfile') return 'vagrant';
  if (name.endsWith('.bicep')) return 'bicep';
  if (name === 'flake.nix') return 'nix';
  if (name === 'Procfile') return 'procfile';
  if (name === 'fly.toml') return 'fly';
  if (name === 'netlify.toml') return 'netlify';
  if (name === 'vercel.json') return 'vercel';
  if (name === 'app.json' && !path.includes('/')) return 'heroku';
  return undefined;
}

/** Conventional entry points (a language's "main" by name), with why. */
export function conventionalEntryPoint(path: string): string | undefined {
  const name = baseName(path);
  if (name === 'main.go') return 'Go package main by convention';
  if (path === 'src/main.rs' || /(^|\/)src\/bin\/[^/]+\.rs$/.test(path)) return 'Cargo binary by convention';
  if (name === '__main__.py') return 'Python __main__ module';
  if (path === 'manage.py') return 'Django manage.py';
  if (name === 'Program.cs') return '.NET Program.cs';
  if (/^(index|main|server|app)\.(js|mjs|cjs|ts)$/.test(path)) return 'root script by convention';
  if (/^(main|app)\.py$/.test(path)) return 'root script by convention';
  if (/(^|\/)src\/main\/java\/.+\/(Main|Application)\.java$/.test(path)) return 'Java main class by convention';
  return undefined;
}

/** Root-level license files (LICENSE, LICENCE.md, COPYING, LICENSE-MIT, UNLICENSE, ...). */
export function isLicenseFile(path: string): boolean {
  return !path.includes('/') && /^(un)?licen[cs]e([-._][\w.-]*)?$|^copying([-._][\w.-]*)?$/i.test(path);
}

/** README at the root, or in docs/ or .github/ (GitHub's lookup order). */
export function readmeRank(path: string): number | undefined {
  const match = /^(?:(docs|\.github)\/)?readme(\.(md|markdown|rst|txt|adoc|org))?$/i.exec(path);
  if (match === null) return undefined;
  const place = match[1] === undefined ? 0 : match[1] === '.github' ? 10 : 20;
  const markdown = /\.(md|markdown)$/i.test(path) ? 0 : 1;
  return place + markdown;
}

export function isSecurityPolicy(path: string): boolean {
  return /^(\.github\/|docs\/)?security(\.(md|markdown|rst|txt|adoc))?$/i.test(path);
}
