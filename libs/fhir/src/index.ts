// FHIR R4 helpers, framework-free. The Nest exception filter lives behind '@lienthong/fhir/nest'.
export * from './r4';
export * from './compact';
export * from './identifier-systems';
export * from './operation-outcome';
export * from './bundle';
