export * from './agent-protocol.js';
export * from './api-error.js';
export * from './attributes.js';
export * from './health.js';
export * from './identity-providers.js';
export * from './node.js';
export * from './resources.js';
export * from './marathon/index.js';
