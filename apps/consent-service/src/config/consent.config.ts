import { defineServiceConfig, type ConfigType } from '@lienthong/platform';

/** consent-service configuration: the platform's groups, validated once at boot. Add the service's own with `extend`. */
export const consentConfig = defineServiceConfig({
  name: 'consent-service',
  port: 3004,
  database: 'lt_consent',
});

export type ConsentConfig = ConfigType<typeof consentConfig>;
