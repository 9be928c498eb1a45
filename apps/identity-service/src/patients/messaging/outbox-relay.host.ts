import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { IDENTITY_FACILITY_EVENTS, IDENTITY_PATIENT_EVENTS, topicsWithDlq } from '@lienthong/contracts';
import { OutboxRelay, provisionTopics } from '@lienthong/messaging';
import { InjectConfig } from '@lienthong/platform';
import { Kafka, logLevel } from 'kafkajs';
import { type IdentityConfig } from '../../config/identity.config';

/** Runs the outbox relay for the app's lifetime (and creates the topics first in development). */
@Injectable()
export class OutboxRelayHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxRelay');
  private relay: OutboxRelay | undefined;

  constructor(@InjectConfig() private readonly config: IdentityConfig) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.identity.relay) return;
    const kafka = new Kafka({ clientId: this.config.kafka.clientId, brokers: this.config.kafka.brokers, logLevel: logLevel.WARN });
    if (this.config.identity.provisionTopics) {
      const specs = [...new Set([...IDENTITY_PATIENT_EVENTS, ...IDENTITY_FACILITY_EVENTS].map((d) => d.topic))];
      await provisionTopics(kafka, topicsWithDlq(specs), { replicationFactor: 1 });
    }
    this.relay = new OutboxRelay({ postgres: this.config.db.url, kafka, name: 'identity-outbox' });
    this.relay.start();
    this.logger.log('outbox relay started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.relay?.stop();
  }
}
