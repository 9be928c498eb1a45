// Tracing first: it must patch http, pg and kafkajs before anything else loads them.
import '@lienthong/platform/tracing';
import 'reflect-metadata';
import { bootstrapService, exitOnBootFailure } from '@lienthong/platform';
import { identityConfig } from './config/identity.config';
import { IdentityModule } from './identity.module';

bootstrapService(IdentityModule, {
  config: identityConfig,
  readiness: ['postgres', 'kafka'],
  docs: {
    title: 'identity-service',
    description: 'Liên Thông master patient index (enterprise patient id ↔ CCCD ↔ facility-local ids) and facility registry.',
  },
}).catch(exitOnBootFailure);
