export * from './database';
export * from './eventually';
export * from './infra';
export * from './kafka';
