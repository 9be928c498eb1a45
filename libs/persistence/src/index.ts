export * from './unit-of-work';
export * from './advisory-lock';
export * from './typeorm-unit-of-work';
export * from './persistence.module';
export * from './migrate';
export * from './audit/audit-trail';
export * from './audit/audit-log.schema';
