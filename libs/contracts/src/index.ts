export * from './cloud-event';
export * from './event-definition';
export * from './events/identity.events';
export * from './topics';
export * from './events/consent.events';
export * from './consent-decision';
export * from './events/lab.events';
