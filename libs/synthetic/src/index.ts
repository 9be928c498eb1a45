export * from './seeded-random';
export * from './synthetic-person';
export * from './population.generator';
export * from './variant.generator';
export * from './vietnamese-names.data';
