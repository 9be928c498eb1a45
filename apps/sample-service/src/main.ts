// Tracing first: it must patch http, pg, kafkajs and redis before anything else loads them.
import '@lienthong/platform/tracing';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { AppModule } from './app/app.module';
import { sampleConfig } from './app/sample.config';

bootstrapService(AppModule, {
  config: sampleConfig,
  readiness: ['postgres', 'kafka', 'redis'],
  docs: { title: 'Sample service', description: 'Proves the Liên Thông service kit (libs/platform).' },
}).catch(exitOnBootFailure);
