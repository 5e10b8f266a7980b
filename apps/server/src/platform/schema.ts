import * as org from '../modules/org/schema.js';
import * as auth from '../modules/auth/schema.js';
import * as audit from '../modules/audit/schema.js';
import * as ingest from '../modules/ingest/schema.js';
import * as customers from '../modules/customers/schema.js';
import * as identity from '../modules/identity/schema.js';
import * as imports from '../modules/imports/schema.js';
import * as views from '../modules/views/schema.js';
import * as leads from '../modules/leads/schema.js';
import * as notifications from '../modules/notifications/schema.js';

/** Every table, for drizzle's relational queries. Modules still reach each other through functions. */
export const schema = { ...org, ...auth, ...audit, ...ingest, ...customers, ...identity, ...imports, ...views, ...leads, ...notifications };
export type Schema = typeof schema;
