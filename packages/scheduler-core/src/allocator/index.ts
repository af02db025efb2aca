export * from './types.js';
export * from './sorter.js';
export * from './drf-sorter.js';
export * from './random-sorter.js';
export * from './offer-filters.js';
export * from './quota.js';
export * from './hierarchical-allocator.js';
