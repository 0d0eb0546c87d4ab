/**
 * Writes deploy/prometheus/alerts.yml from the alert definitions and the default thresholds
 * (`npm run alerts:generate`). A test fails when the committed file drifts from this output.
 * Operators with other thresholds run `repolens alerts rules` with their configuration.
 */
import { writeFileSync } from 'node:fs';
import { DEFAULT_ALERT_THRESHOLDS, prometheusRulesYaml } from '../src/monitoring/alert-rules.js';

const target = new URL('../deploy/prometheus/alerts.yml', import.meta.url);
writeFileSync(target, prometheusRulesYaml(DEFAULT_ALERT_THRESHOLDS));
process.stdout.write(`wrote ${target.pathname}\n`);
