import { defineServiceConfig, env, envSchema, type ConfigType } from '@lienthong/platform';
import { z } from 'zod';

/** lab-results-service configuration: the platform's groups plus where identity and consent answer, ingest limits and the pending-visit retry. */
export const labResultsConfig = defineServiceConfig({
  name: 'lab-results-service',
  port: 3003,
  database: 'lt_lab',
  extend: {
    lab: {
      /** identity-service's base URL: patients are resolved (register-or-link, lookups) through its API. */
      identityUrl: env('LAB_IDENTITY_URL', envSchema.url(['http', 'https']).default('http://127.0.0.1:3001')),
      /** consent-service's base URL: one batch decision per reuse check. */
      consentUrl: env('LAB_CONSENT_URL', envSchema.url(['http', 'https']).default('http://127.0.0.1:3004')),
      /** Per-call deadline towards identity and consent (ms). */
      callTimeoutMs: env('LAB_CALL_TIMEOUT_MS', envSchema.positiveInt().default(2000)),
      /** How often visits waiting for their patient are retried (ms; backoff grows per visit up to 60×). */
      pendingRetryMs: env('LAB_PENDING_RETRY_MS', envSchema.positiveInt().default(2000)),
      /** Largest XML 130 upload accepted (bytes). */
      maxUploadBytes: env('LAB_MAX_UPLOAD_BYTES', envSchema.positiveInt().default(100 * 1024 * 1024)),
      /** AES-256-GCM key (base64, 32 bytes) for the demographics a visit keeps until identity resolves it; a development key is derived when unset outside production. */
      demographicsKey: env('LAB_DEMOGRAPHICS_KEY', z.string().optional(), { secret: true }),
      /** PKCS#8 PEM of the ES256 key this service signs its own tokens with (calls to identity and consent); default outside production: the development issuer's key. */
      serviceTokenKeyFile: env('LAB_SERVICE_TOKEN_KEY_FILE', z.string().min(1).optional()),
      /** Kafka consumer group of the identity-event consumer (facilities, links, merges). */
      consumerGroup: env('LAB_CONSUMER_GROUP', z.string().min(1).default('lab-results-service')),
      /** A directory of further reuse rule-set versions (`*.json`, the shape of src/config/rule-sets/): a new circular is a new file, loaded at boot with those shipped. */
      ruleSetsDir: env('LAB_RULE_SETS_DIR', z.string().min(1).optional()),
      /** Run the outbox relay in this process (default on). */
      relay: env('LAB_OUTBOX_RELAY', envSchema.boolean().default(true)),
    },
  },
});

export type LabResultsConfig = ConfigType<typeof labResultsConfig>;
