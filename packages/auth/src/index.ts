export * from './login-throttle.js';
export * from './passwords.js';
export * from './permissions.js';
export * from './resources.js';
export * from './tokens.js';
export * from './service-login.js';
