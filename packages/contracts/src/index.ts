export * from './errors.js';
export * from './pagination.js';
export * from './permissions.js';
export * from './org.js';
export * from './users.js';
export * from './auth.js';
export * from './audit.js';
export * from './customers.js';
