// Tracing first: it must patch http, pg and kafkajs before anything else loads them.
import '@lienthong/platform/tracing';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { labResultsConfig } from './config/lab-results.config';
import { LabResultsModule } from './lab-results.module';

bootstrapService(LabResultsModule, {
  config: labResultsConfig,
  readiness: ['postgres', 'kafka'],
  docs: { title: 'lab-results-service', description: 'Liên Thông lab-results-service: lab-results recorded by facilities.' },
}).catch(exitOnBootFailure);
