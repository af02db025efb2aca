export * from './agents/liveness.js';
export * from './resources/index.js';
export * from './random/seeded-random.js';
export * from './allocator/index.js';
export * from './offers/index.js';
export * from './placement/index.js';
export * from './simulator/index.js';
export * from './services/index.js';
