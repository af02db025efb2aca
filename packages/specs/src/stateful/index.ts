export * from './service-spec.js';
