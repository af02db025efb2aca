export * from './quantity.js';
export * from './ranges.js';
export * from './resource.js';
export * from './resources.js';
export * from './scalars.js';
export * from './parse.js';
