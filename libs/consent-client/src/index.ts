export * from './consent-client';
export * from './consent-request.error';
export * from './prometheus';
