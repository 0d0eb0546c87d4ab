/**
 * `repolens lag`: consumer lag per group, topic and partition, read from committed and latest
 * offsets (the same figures as the `kafka_consumergroup_lag` metric). `repolens alerts rules`:
 * the Prometheus rules file for the configured thresholds.
 */
import type { Command } from 'commander';
import { prometheusRulesYaml } from '../../monitoring/alert-rules.js';
import { readConsumerLag, seedGroups } from '../../monitoring/consumer-lag.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson } from '../io.js';
import { withKafka } from '../with-kafka.js';
import { withBrokerOptions, type BrokerFlags } from './broker-options.js';

export function registerMonitoringCommands(program: Command, deps: CliDeps): void {
  const { io } = deps;
  withBrokerOptions(program.command('lag'))
    .description('consumer lag of the seed groups (and their retry-tier groups) per topic and partition')
    .option('--json', 'print JSON: [{ group, topic, partition, committed, latest, lag }]')
    .option('--all', 'include partitions without lag')
    .action(async (flags: BrokerFlags & { json?: boolean; all?: boolean }) => {
      const rows = await withKafka(deps, flags, (kafka) => readConsumerLag(kafka.admin, seedGroups()));
      const shown = flags.all === true || flags.json === true ? rows : rows.filter((row) => row.lag > 0);
      if (flags.json === true) {
        printJson(
          io,
          shown.map((row) => ({
            group: row.group,
            topic: row.topic,
            partition: row.partition,
            committed: row.committed === null ? null : Number(row.committed),
            latest: Number(row.latest),
            lag: row.lag,
          })),
        );
        return;
      }
      const total = rows.reduce((sum, row) => sum + row.lag, 0);
      io.out(
        formatTable(
          ['GROUP', 'TOPIC', 'PARTITION', 'COMMITTED', 'LATEST', 'LAG'],
          shown.map((row) => [
            row.group,
            row.topic,
            String(row.partition),
            row.committed === null ? '-' : row.committed.toString(),
            row.latest.toString(),
            String(row.lag),
          ]),
        ),
      );
      io.out(
        `total lag: ${total} message(s)${flags.all === true ? '' : ' (partitions without lag hidden; --all shows them)'}\n`,
      );
    });

  program
    .command('alerts')
    .description('alerting helpers')
    .command('rules')
    .description('print the Prometheus rules file for the configured alert thresholds')
    .action(() => {
      const config = deps.resolveConfig({});
      io.out(
        prometheusRulesYaml({
          lagMessages: config.alertLagMessages,
          errorRatePercent: config.alertErrorRatePercent,
          windowMs: config.alertWindowMs,
          processingTimeMs: config.alertProcessingTimeMs,
          forMs: config.alertForMs,
        }),
      );
    });
}
