/** `repolens topics …`: the topic plan from the contracts. */
import type { Command } from 'commander';
import { allTopicSpecs, planTopics } from '../../contracts/topics.js';
import { assertNoRefusals, ensureTopics, type ProvisionReport } from '../../runtime/topic-provisioning.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson } from '../io.js';
import { positiveInteger } from '../parse.js';
import { withKafka } from '../with-kafka.js';
import { withBrokerOptions, type BrokerFlags } from './broker-options.js';

function formatDays(ms: string | undefined): string {
  const days = Number(ms) / 86_400_000;
  return Number.isFinite(days) ? `${days} d` : '?';
}

export function registerTopicsCommands(program: Command, deps: CliDeps): void {
  const { io } = deps;
  const topics = program.command('topics').description('Kafka topics of the message design');

  topics
    .command('plan')
    .description('print the topics repolens creates, with partitions, replication and configs (no broker needed)')
    .option('--json', 'print JSON: [{ name, partitions, replication_factor, config }]')
    .option('--broker-count <n>', 'plan for a cluster of this many brokers', positiveInteger('--broker-count'), 3)
    .action((options: { json?: boolean; brokerCount: number }) => {
      const plan = planTopics(options.brokerCount);
      if (plan.warning !== undefined) io.err(`warning: ${plan.warning}\n`);
      if (options.json === true) {
        printJson(io, plan.topics);
        return;
      }
      io.out(
        formatTable(
          ['TOPIC', 'PARTITIONS', 'REPLICATION', 'RETENTION', 'MIN ISR'],
          plan.topics.map((t) => [
            t.name,
            String(t.partitions),
            String(t.replication_factor),
            formatDays(t.config['retention.ms']),
            t.config['min.insync.replicas'] ?? '',
          ]),
        ),
      );
    });

  withBrokerOptions(topics.command('ensure'))
    .description('create or correct every topic of the plan on the cluster (safe to run again)')
    .option('--json', 'print the changes as JSON')
    .action(async (options: BrokerFlags & { json?: boolean }) => {
      const report = await withKafka(deps, options, (kafka) => ensureTopics(kafka.admin));
      if (report.warning !== undefined) io.err(`warning: ${report.warning}\n`);
      if (options.json === true) printJson(io, report);
      else io.out(formatProvisionReport(report));
      assertNoRefusals(report);
    });

  withBrokerOptions(topics.command('describe'))
    .description("print what the cluster has for repolens' topics")
    .option('--json', 'print JSON: [{ name, partitions, replication_factor, config }]')
    .action(async (options: BrokerFlags & { json?: boolean }) => {
      const names = allTopicSpecs().map((t) => t.name);
      const described = await withKafka(deps, options, (kafka) => kafka.admin.describeTopics(names));
      const byName = new Map(described.map((d) => [d.name, d]));
      const rows = names.flatMap((name) => {
        const d = byName.get(name);
        return d === undefined
          ? []
          : [{ name, partitions: d.partitions, replication_factor: d.replicationFactor, config: d.config }];
      });
      const missing = names.filter((name) => !byName.has(name));
      if (missing.length > 0) io.err(`missing topics (run \`repolens topics ensure\`): ${missing.join(', ')}\n`);
      if (options.json === true) {
        printJson(io, rows);
        return;
      }
      io.out(
        formatTable(
          ['TOPIC', 'PARTITIONS', 'REPLICATION', 'RETENTION', 'MIN ISR'],
          rows.map((t) => [
            t.name,
            String(t.partitions),
            String(t.replication_factor),
            formatDays(t.config['retention.ms']),
            t.config['min.insync.replicas'] ?? '',
          ]),
        ),
      );
    });
}

function formatProvisionReport(report: ProvisionReport): string {
  const rows = report.topics.map((t) => {
    const changes = [
      ...t.configChanges.map((c) => `${c.key} ${c.from ?? '(unset)'} -> ${c.to}`),
      ...(t.partitions === undefined ? [] : [`partitions ${t.partitions.from} -> ${t.partitions.to}`]),
      ...t.problems,
    ];
    return [t.name, t.action, changes.join('; ')];
  });
  return formatTable(['TOPIC', 'ACTION', 'DETAILS'], rows);
}
