export * from './types.js';
export * from './attributes.js';
export * from './constraints.js';
export * from './resource-fit.js';
export * from './ranking.js';
export * from './stages.js';
export * from './pipeline.js';
