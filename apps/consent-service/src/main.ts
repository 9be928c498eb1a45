// Tracing first: it must patch http, pg and kafkajs before anything else loads them.
import '@lienthong/platform/tracing';
import { InboxTransport } from '@lienthong/messaging';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { consentConfig } from './config/consent.config';
import { ConsentModule } from './consent.module';

bootstrapService(ConsentModule, {
  config: consentConfig,
  // Not Redis: without its cache the service still answers, correctly, from Postgres.
  readiness: ['postgres', 'kafka'],
  transports: [InboxTransport],
  docs: { title: 'consent-service', description: 'Liên Thông consent-service: consents recorded by facilities.' },
}).catch(exitOnBootFailure);
