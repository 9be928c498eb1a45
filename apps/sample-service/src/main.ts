// Tracing first: it must patch http, pg, kafkajs and redis before anything else loads them.
import '@lienthong/platform/tracing';
import 'reflect-metadata';
import { InboxTransport } from '@lienthong/messaging';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { sampleConfig } from './config/sample.config';
import { SampleModule } from './sample.module';

bootstrapService(SampleModule, {
  config: sampleConfig,
  readiness: ['postgres', 'kafka', 'redis'],
  transports: [InboxTransport],
  docs: { title: 'Sample service', description: 'Proves the Liên Thông service kit (libs/platform) and declarative consumers (libs/messaging).' },
}).catch(exitOnBootFailure);
