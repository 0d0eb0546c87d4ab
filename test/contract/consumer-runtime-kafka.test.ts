/** The consumer runtime's retries and DLQ on the real 3-node cluster. */
import { kafkaFixture } from '../support/kafka-bus-fixture.js';
import { describeConsumerRuntimeContract } from './consumer-runtime.contract.js';

describeConsumerRuntimeContract('bus-kafka', kafkaFixture, 10_000);
