export * from './agents/liveness.js';
