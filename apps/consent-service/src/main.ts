// Tracing first: it must patch http, pg and kafkajs before anything else loads them.
import '@lienthong/platform/tracing';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { consentConfig } from './config/consent.config';
import { ConsentModule } from './consent.module';

bootstrapService(ConsentModule, {
  config: consentConfig,
  readiness: ['postgres', 'kafka'],
  docs: { title: 'consent-service', description: 'Liên Thông consent-service: consents recorded by facilities.' },
}).catch(exitOnBootFailure);
