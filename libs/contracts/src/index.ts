export * from './cloud-event';
export * from './event-definition';
export * from './events/identity.events';
export * from './topics';
