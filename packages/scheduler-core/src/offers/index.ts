export * from './operations.js';
export * from './offer-book.js';
