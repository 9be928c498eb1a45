/**
 * Creates or updates every registry topic and its DLQ on the local broker (auto-create is off).
 *   node scripts/run-ts.cjs scripts/provision-topics.ts [--brokers host:port,…]
 * In Kubernetes the same list is applied as Strimzi KafkaTopic resources (deploy/k8s/kafka/topics.yaml).
 */
import { topicsWithDlq } from '@lienthong/contracts';
import { provisionTopics } from '@lienthong/messaging';
import { Kafka, logLevel } from 'kafkajs';

async function main(): Promise<void> {
  const flag = process.argv.indexOf('--brokers');
  const brokers = (flag > 0 ? process.argv[flag + 1] : process.env['KAFKA_BROKERS']) ?? '127.0.0.1:9092';
  const kafka = new Kafka({ clientId: 'lienthong-provision', brokers: brokers.split(','), logLevel: logLevel.WARN });
  const specs = topicsWithDlq();
  const report = await provisionTopics(kafka, specs);
  const changes = report.created.length + report.partitionsIncreased.length + report.configsAltered.length;
  console.log(`topics: ${specs.length} in the registry, ${report.created.length} created, ${changes - report.created.length} updated`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
