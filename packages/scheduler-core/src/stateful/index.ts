export * from './types.js';
export * from './identity.js';
export * from './spec.js';
export * from './plans.js';
export * from './offer-operations.js';
export * from './reconcile-stateful.js';
