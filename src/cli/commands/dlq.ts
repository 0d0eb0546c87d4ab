/** `repolens dlq list | show | replay | purge`: look into and act on the dead-letter queue. */
import { InvalidArgumentError, type Command } from 'commander';
import { ErrorCodes, RepolensError } from '../../domain/errors.js';
import { createDlqTools } from '../../runtime/dlq-tools.js';
import type { CliDeps } from '../deps.js';
import { formatTable, printJson, shorten } from '../io.js';
import { withKafka } from '../with-kafka.js';
import { withBrokerOptions, type BrokerFlags } from './broker-options.js';

function parseTime(value: string): Date {
  const relative = /^(\d+)([smhd])$/.exec(value);
  if (relative !== null) {
    const unitMs = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(Date.now() - Number(relative[1]) * unitMs);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new InvalidArgumentError(`--before must be an ISO-8601 time or an age like 7d, 12h, 30m, got "${value}"`);
  }
  return new Date(parsed);
}

export function registerDlqCommands(program: Command, deps: CliDeps): void {
  const { io } = deps;
  const dlq = program.command('dlq').description('the dead-letter queue: messages that failed processing');

  withBrokerOptions(dlq.command('list'))
    .description('list dead-lettered messages with where they came from and why they failed')
    .option('--json', 'print JSON')
    .action(async (options: BrokerFlags & { json?: boolean }) => {
      const entries = await withKafka(deps, options, (kafka) => createDlqTools(kafka).list());
      if (options.json === true) {
        printJson(io, entries);
        return;
      }
      if (entries.length === 0) {
        io.out('the dead-letter queue is empty\n');
        return;
      }
      io.out(
        formatTable(
          ['ID', 'FAILED AT', 'FROM', 'KEY', 'ATTEMPT', 'ERROR'],
          entries.map((e) => [
            e.id,
            e.failedAt,
            e.originalTopic,
            shorten(e.key ?? '', 50),
            String(e.attempt),
            shorten(`${e.errorCode}: ${e.errorMessage}`, 80),
          ]),
        ),
      );
    });

  withBrokerOptions(dlq.command('show'))
    .description('show one dead-lettered message in full')
    .argument('<id>', 'record id, repository.dlq:<partition>:<offset>')
    .action(async (id: string, options: BrokerFlags) => {
      printJson(io, await withKafka(deps, options, (kafka) => createDlqTools(kafka).show(id)));
    });

  withBrokerOptions(dlq.command('replay'))
    .description('send messages back to their original topic with the retry count reset')
    .argument('[ids...]', 'record ids, repository.dlq:<partition>:<offset>')
    .option('--all', 'replay every record in the queue')
    .action(async (ids: string[], options: BrokerFlags & { all?: boolean }) => {
      if ((options.all === true) === ids.length > 0) {
        throw new RepolensError(ErrorCodes.inputInvalid, 'dlq replay needs record ids or --all (not both)');
      }
      const replayed = await withKafka(deps, options, (kafka) =>
        createDlqTools(kafka).replay(options.all === true ? { all: true } : { ids }),
      );
      io.out(`replayed ${replayed.length} message(s)${replayed.length > 0 ? `: ${replayed.join(', ')}` : ''}\n`);
    });

  withBrokerOptions(dlq.command('purge'))
    .description('delete dead-lettered messages older than a time')
    .requiredOption('--before <time>', 'ISO-8601 time, or an age such as 7d, 12h, 30m', parseTime)
    .action(async (options: BrokerFlags & { before: Date }) => {
      const removed = await withKafka(deps, options, (kafka) => createDlqTools(kafka).purge(options.before));
      io.out(`purged ${removed} message(s) that failed before ${options.before.toISOString()}\n`);
    });
}
