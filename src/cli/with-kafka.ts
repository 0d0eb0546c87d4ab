/** Runs a command body with a Kafka connection that is always closed afterwards. */
import type { CliDeps, KafkaConnection } from './deps.js';
import { brokerConfigFlags, type BrokerFlags } from './commands/broker-options.js';

export async function withKafka<T>(
  deps: CliDeps,
  flags: BrokerFlags,
  body: (kafka: KafkaConnection) => Promise<T>,
): Promise<T> {
  const config = deps.resolveConfig(brokerConfigFlags(flags));
  const kafka = await deps.connectKafka(config);
  try {
    return await body(kafka);
  } finally {
    await kafka.close();
  }
}
