// FHIR R4 helpers, framework-free. The Nest exception filter and URL decorator are '@lienthong/fhir/nest' (libs/fhir/nest).
export * from './r4';
export * from './compact';
export * from './identifier-systems';
export * from './operation-outcome';
export * from './bundle';
export * from './vn-address';
export * from './capability-statement';
export * from './fhir-operation-error';
