/**
 * The permission grammar and its rules without anything that needs Node (no argon2,
 * no jose): what a browser bundle may import (`@gantry/auth/grants`). The console uses
 * the very `authorize()` the API decides with, only to hide what would be refused.
 */
export * from './permissions.js';
export * from './resources.js';
