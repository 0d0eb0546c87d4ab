/** Flags shared by every command that talks to Kafka. */
import type { Command } from 'commander';

export interface BrokerFlags {
  readonly brokers?: string;
  readonly topicPrefix?: string;
}

export function withBrokerOptions(command: Command): Command {
  return command
    .option('--brokers <list>', 'Kafka bootstrap brokers, comma-separated host:port (env REPOLENS_BROKERS)')
    .option('--topic-prefix <prefix>', 'prefix of every topic and group name (env REPOLENS_TOPIC_PREFIX)');
}

/** Turns broker flags into config flags (undefined when not given, so env and file still apply). */
export function brokerConfigFlags(flags: BrokerFlags): { brokers?: string[]; topicPrefix?: string } {
  return {
    brokers: flags.brokers
      ?.split(',')
      .map((b) => b.trim())
      .filter((b) => b !== ''),
    topicPrefix: flags.topicPrefix,
  };
}
