import * as org from '../modules/org/schema.js';
import * as auth from '../modules/auth/schema.js';
import * as audit from '../modules/audit/schema.js';

/** Every table, for drizzle's relational queries. Modules still reach each other through functions. */
export const schema = { ...org, ...auth, ...audit };
export type Schema = typeof schema;
