/**
 * The Prometheus rules file is generated from the same thresholds as the in-process evaluator:
 * the committed file must equal the generator's output, and promtool (Debian `prometheus`)
 * must accept it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_THRESHOLDS, prometheusRulesYaml } from '../../../src/monitoring/alert-rules.js';

const committed = new URL('../../../deploy/prometheus/alerts.yml', import.meta.url);

function promtoolAvailable(): boolean {
  const probe = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (probe.status === 0) return true;
  if (process.env['CI'] === 'true') throw new Error('promtool (Debian package prometheus) is required in CI');
  return false;
}

describe('Prometheus alert rules', () => {
  it('deploy/prometheus/alerts.yml is what `npm run alerts:generate` writes', () => {
    expect(readFileSync(committed, 'utf8')).toBe(prometheusRulesYaml(DEFAULT_ALERT_THRESHOLDS));
  });

  it('passes promtool check rules, also with other thresholds', () => {
    if (!promtoolAvailable()) return;
    const dir = mkdtempSync(join(tmpdir(), 'repolens-rules-'));
    const custom = join(dir, 'custom.yml');
    writeFileSync(
      custom,
      prometheusRulesYaml({
        lagMessages: 10,
        errorRatePercent: 0.5,
        windowMs: 90_000,
        processingTimeMs: 1500,
        forMs: 5000,
      }),
    );
    const output = execFileSync('promtool', ['check', 'rules', committed.pathname, custom], { encoding: 'utf8' });
    expect(output).toMatch(/SUCCESS: 3 rules found/);
  });
});
