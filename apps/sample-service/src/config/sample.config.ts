import { defineServiceConfig, env, type ConfigType } from '@lienthong/platform';
import { z } from 'zod';

export const sampleConfig = defineServiceConfig({
  name: 'sample-service',
  port: 3000,
  database: 'lt_sample',
  extend: {
    sample: {
      /** Delay added to POST /v1/echo, to make a request observably in flight (shutdown tests). */
      echoDelayMs: env('SAMPLE_ECHO_DELAY_MS', z.coerce.number().int().min(0).max(30_000).default(0)),
      /** Kafka consumer group of the identity-event consumer (also its name in the inbox and DLQ headers). */
      consumerGroup: env('SAMPLE_CONSUMER_GROUP', z.string().min(1).default('sample-service')),
    },
  },
});

export type SampleConfig = ConfigType<typeof sampleConfig>;
