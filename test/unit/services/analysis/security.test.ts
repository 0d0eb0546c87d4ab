/** Section 8: each local check's score and the weighted aggregate. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ReportLicense } from '../../../../src/contracts/report.js';
import { createCheckoutReader } from '../../../../src/services/analysis/checkout-reader.js';
import { collectManifests } from '../../../../src/services/analysis/dependencies/collect.js';
import { aggregateScore, buildSecurity } from '../../../../src/services/analysis/security.js';
import { makeFixture, type Fixture } from './fixture.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const LICENSED: ReportLicense = { spdx_id: 'MIT', confidence: 1, file: 'LICENSE', source: 'file', declared: [] };
const UNLICENSED: ReportLicense = { spdx_id: null, confidence: 0, file: null, source: null, declared: [] };

const SAFE_WORKFLOW = `name: ci
on: [push, pull_request]
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@${SHA}
      - uses: ./.github/actions/local
      - run: npm test
`;

const DANGEROUS_WORKFLOW = `name: triage
on:
  pull_request_target:
    types: [opened]
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: \${{ github.event.pull_request.head.sha }}
      - if: \${{ github.event.pull_request.title != '' }}
        run: echo "title: \${{ github.event.pull_request.title }}"
`;

describe('security posture', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => fixture?.cleanup());

  const score = async (files: Record<string, string>, license: ReportLicense, secrets = 0) => {
    fixture = await makeFixture(files, {
      secrets: Array.from({ length: secrets }, (_, i) => ({ path: 'config.js', line: i + 1, type: 'aws-access-key' })),
    });
    const reader = createCheckoutReader(fixture.root);
    return buildSecurity(
      fixture.manifest.files,
      fixture.manifest.secrets,
      await collectManifests(fixture.manifest.files, reader),
      license,
      reader,
    );
  };
  const scores = (security: Awaited<ReturnType<typeof score>>) =>
    Object.fromEntries(security.checks.map((c) => [c.name, c.score]));

  it('a careful repository scores 10 on every applicable check', async () => {
    const security = await score(
      {
        'SECURITY.md': 'Report to security@example.com\n',
        '.github/workflows/ci.yml': SAFE_WORKFLOW,
        Dockerfile: `FROM node:20@sha256:${'a'.repeat(64)} AS build\nFROM build\nFROM scratch\n`,
        'package.json': '{"dependencies":{"x":"1.0.0"}}',
        'package-lock.json': '{}',
      },
      LICENSED,
    );
    expect(scores(security)).toEqual({
      'Dangerous-Workflow': 10,
      Secrets: 10,
      'Token-Permissions': 10,
      'Binary-Artifacts': 10,
      'Security-Policy': 10,
      'Pinned-Dependencies': 10,
      'Lock-Files': 10,
      License: 10,
      CI: 10,
    });
    expect(security.score).toBe(10);
    expect(security.security_policy).toBe('SECURITY.md');
    expect(security.lock_files).toEqual(['package-lock.json']);
    expect(security.ci_present).toBe(true);
    expect(security.dangerous_workflow_patterns).toEqual([]);
  });

  it('finds injection and untrusted checkout, unpinned actions, missing locks, binaries and secrets', async () => {
    const security = await score(
      {
        '.github/workflows/triage.yml': DANGEROUS_WORKFLOW,
        'requirements.txt': 'flask\n',
        'package.json': '{"dependencies":{"x":"1.0.0"}}',
        'yarn.lock': '',
        'tools/helper.exe': 'MZ',
        'lib/old.jar': 'PK',
      },
      UNLICENSED,
      2,
    );
    expect(security.dangerous_workflow_patterns).toEqual([
      {
        path: '.github/workflows/triage.yml',
        line: 11,
        pattern: 'pull_request_target checks out untrusted pull request code',
      },
      {
        path: '.github/workflows/triage.yml',
        line: 13,
        pattern: 'script injection: untrusted github context in a step',
      },
    ]);
    expect(scores(security)).toEqual({
      'Dangerous-Workflow': 0,
      Secrets: 6,
      'Token-Permissions': 0,
      'Binary-Artifacts': 8,
      'Security-Policy': 0,
      'Pinned-Dependencies': 0,
      'Lock-Files': 5,
      License: 0,
      CI: 10,
    });
    // (0·10 + 6·7.5 + 0·7.5 + 8·7.5 + 0·5 + 0·5 + 5·5 + 0·2.5 + 10·2.5) / 52.5 = 155 / 52.5
    expect(security.score).toBe(3);
    expect(security.secrets).toEqual([
      { type: 'aws-access-key', path: 'config.js', line: 1 },
      { type: 'aws-access-key', path: 'config.js', line: 2 },
    ]);
  });

  it('checks with nothing to inspect do not count', async () => {
    const security = await score({ 'main.c': 'int main(void) { return 0; }\n' }, UNLICENSED);
    expect(scores(security)).toMatchObject({
      'Dangerous-Workflow': null,
      'Token-Permissions': null,
      'Pinned-Dependencies': null,
      'Lock-Files': null,
      CI: 0,
    });
    // Secrets 10·7.5 + Binary 10·7.5 over 7.5+7.5+5+2.5+2.5 = 150 / 25
    expect(security.score).toBe(6);
    expect(aggregateScore([])).toBeNull();
  });
});
