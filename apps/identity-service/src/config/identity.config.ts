import { defineServiceConfig, env, envSchema, type ConfigType } from '@lienthong/platform';
import { z } from 'zod';

/**
 * identity-service configuration: the platform's groups plus the identifier keys. The keys are
 * declared here (secret: never logged) and parsed strictly by loadIdentityKeys at boot.
 */
export const identityConfig = defineServiceConfig({
  name: 'identity-service',
  port: 3001,
  database: 'lt_identity',
  extend: {
    identity: {
      encryptionKeys: env('IDENTITY_ENCRYPTION_KEYS', z.string().optional(), { secret: true }),
      activeKey: env('IDENTITY_ENCRYPTION_ACTIVE_KEY', z.string().optional()),
      blindIndexKey: env('IDENTITY_BLIND_INDEX_KEY', z.string().optional(), { secret: true }),
      /** Run the outbox relay in this process (default on; turn off when a separate relay runs). */
      relay: env('IDENTITY_OUTBOX_RELAY', envSchema.boolean().default(true)),
      /** Create the service's topics at boot when missing (development and tests; Strimzi in production). */
      provisionTopics: env('KAFKA_PROVISION_TOPICS', envSchema.boolean().default(true)),
      /** Load the synthetic seed facility registry at start (local runs, demos, tests). */
      seedFacilities: env('IDENTITY_SEED_FACILITIES', envSchema.boolean().default(false)),
    },
  },
});

export type IdentityConfig = ConfigType<typeof identityConfig>;
