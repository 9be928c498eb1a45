export * from './database';
export * from './eventually';
export * from './infra';
export * from './kafka';
export * from './jwt';
export * from './process';
export * from './service-process';
export * from './unit-of-work.fake';
