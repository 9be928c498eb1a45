import { defineServiceConfig, env, envSchema, type ConfigType } from '@lienthong/platform';
import { z } from 'zod';

/** consent-service configuration: the platform's groups plus the decision point's, break-the-glass and expiry settings. */
export const consentConfig = defineServiceConfig({
  name: 'consent-service',
  port: 3004,
  database: 'lt_consent',
  extend: {
    consent: {
      /** Kafka consumer group of the identity-event consumer (patients, links, merges, facilities). */
      consumerGroup: env('CONSENT_CONSUMER_GROUP', z.string().min(1).default('consent-service')),
      /** How long a cached patient state may live in Redis at most (invalidation is the normal path; this bounds the unexpected). */
      cacheTtlSeconds: env('CONSENT_CACHE_TTL_SECONDS', envSchema.positiveInt().default(600)),
      /** How long a facility profile is kept in process before the registry copy is read again. */
      facilityCacheMs: env('CONSENT_FACILITY_CACHE_MS', envSchema.positiveInt().default(30_000)),
      /** Break-the-glass: the access period when the clinician names none, and the longest allowed. */
      emergencyAccessDefaultMinutes: env('CONSENT_EMERGENCY_ACCESS_DEFAULT_MINUTES', envSchema.positiveInt().default(60)),
      emergencyAccessMaxMinutes: env('CONSENT_EMERGENCY_ACCESS_MAX_MINUTES', envSchema.positiveInt().default(240)),
      /** How often the expiry job looks for grant periods that ended (the event is due within 5 s of the end). */
      expiryPollMs: env('CONSENT_EXPIRY_POLL_MS', envSchema.positiveInt().default(1000)),
      /** Run the outbox relay in this process (default on; turn off when a separate relay runs). */
      relay: env('CONSENT_OUTBOX_RELAY', envSchema.boolean().default(true)),
    },
  },
});

export type ConsentConfig = ConfigType<typeof consentConfig>;
