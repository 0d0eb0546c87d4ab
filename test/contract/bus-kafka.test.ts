/** The MessageBus contract against the Kafka adapter on the test cluster (test/global-setup.ts). */
import { kafkaFixture } from '../support/kafka-bus-fixture.js';
import { describeMessageBusContract } from './message-bus.contract.js';

describeMessageBusContract('bus-kafka', kafkaFixture, { settleMs: 10_000 });
