export * from './simulator.js';
export * from './invariants.js';
