// Tracing first: it must patch http, pg and kafkajs before anything else loads them.
import '@lienthong/platform/tracing';
import { InboxTransport } from '@lienthong/messaging';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { labResultsConfig } from './config/lab-results.config';
import { LabResultsModule } from './lab-results.module';

bootstrapService(LabResultsModule, {
  config: labResultsConfig,
  readiness: ['postgres', 'kafka'],
  // identity's events: the facility registry, patients, links and merges (registry/).
  transports: [InboxTransport],
  docs: { title: 'lab-results-service', description: 'Liên Thông lab-results-service: lab-results recorded by facilities.' },
}).catch(exitOnBootFailure);
