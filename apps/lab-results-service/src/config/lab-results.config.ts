import { defineServiceConfig, type ConfigType } from '@lienthong/platform';

/** lab-results-service configuration: the platform's groups, validated once at boot. Add the service's own with `extend`. */
export const labResultsConfig = defineServiceConfig({
  name: 'lab-results-service',
  port: 3003,
  database: 'lt_lab',
});

export type LabResultsConfig = ConfigType<typeof labResultsConfig>;
