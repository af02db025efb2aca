export * from './agents/liveness.js';
export * from './resources/index.js';
