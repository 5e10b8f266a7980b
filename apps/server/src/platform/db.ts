import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql, type ExtractTablesWithRelations, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { schema, type Schema } from './schema.js';

export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** A handle that runs queries: the database itself or an open transaction. */
export type Executor = Db | Tx;

/** Raw SQL access used by pg-boss and benchmarks; one shape for both drivers. */
export interface RawClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  /** Several statements, no parameters; answers the rows of the last one. */
  exec(text: string): Promise<{ rows: Record<string, unknown>[] }>;
}

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  raw: RawClient;
  close(): Promise<void>;
}

const MIGRATIONS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export async function openDatabase(opts: { databaseUrl?: string; dataDir: string }): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    pool.on('error', () => undefined); // an idle client dropped by the server; the pool replaces it
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      raw: {
        query: async (text, params) => pool.query(text, params as unknown[]) as never,
        exec: async (text) => {
          const result = (await pool.query(text)) as unknown as pg.QueryResult | pg.QueryResult[];
          const last = Array.isArray(result) ? result[result.length - 1] : result;
          return { rows: last?.rows ?? [] };
        },
      },
      close: () => pool.end(),
    };
  }
  const dir = path.join(opts.dataDir, 'pglite');
  fs.mkdirSync(dir, { recursive: true });
  const client = await PGlite.create({ dataDir: dir });
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    raw: {
      query: async (text, params) => client.query(text, params) as never,
      exec: async (text) => {
        const results = await client.exec(text);
        return { rows: (results[results.length - 1]?.rows ?? []) as Record<string, unknown>[] };
      },
    },
    close: () => client.close(),
  };
}

export async function runMigrations(database: Database): Promise<void> {
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, { migrationsFolder: MIGRATIONS });
  } else {
    // One migrator at a time when several processes start together.
    await database.raw.query('select pg_advisory_lock(727001)');
    try {
      await migratePg(database.db as never, { migrationsFolder: MIGRATIONS });
    } finally {
      await database.raw.query('select pg_advisory_unlock(727001)');
    }
  }
}

/**
 * Run `fn` in a transaction bound to one tenant: row-level security sees `app.tenant_id` and the
 * queries run as the unprivileged `forecourt_app` role, so a missed `where tenant_id = …` still
 * cannot read another tenant's rows.
 */
/**
 * The embedded database has one connection: while a background job's transaction runs, a request waits for it
 * at every statement it needs (a lead intake needs three transactions, so a 5 s job batch made it wait 15 s).
 * Jobs therefore use short transactions there (`pgliteSize`) and call `yieldToRequests` between them.
 */
export function backgroundBatch(database: Pick<Database, 'kind'>, postgresSize: number, pgliteSize: number): number {
  return database.kind === 'pglite' ? pgliteSize : postgresSize;
}

/** On the embedded database, lets the requests queued behind a job's transaction run before its next one. */
export function yieldToRequests(database: Pick<Database, 'kind'>): Promise<void> {
  return database.kind === 'pglite' ? new Promise((resolve) => setTimeout(resolve, 20)) : Promise.resolve();
}

/**
 * Statements of one transaction sent without waiting for each other's answers. Both drivers run a
 * transaction's statements in the order they were called (node-postgres queues them on the connection and
 * sends the next as soon as the previous is done; PGlite takes them through its query lock), so a batch's
 * independent writes can be sent one after another while this process builds the next: on PostgreSQL the
 * database works meanwhile. A statement called directly after some were sent runs after them. `flush` waits
 * for all and throws the first failure (the later ones then only say the transaction is aborted).
 */
export class StatementPipeline {
  readonly #pending: Promise<unknown>[] = [];

  constructor(private readonly tx: Executor) {}

  send(query: SQL): void {
    // execute() answers a lazy thenable that runs the query on every then(): run it exactly once, now.
    const sent = this.tx.execute(query).then((result) => result);
    sent.catch(() => undefined); // reported by flush
    this.#pending.push(sent);
  }

  async flush(): Promise<void> {
    const settled = await Promise.allSettled(this.#pending.splice(0));
    for (const result of settled) if (result.status === 'rejected') throw result.reason;
  }
}

export async function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    // One round trip: set_config('role', …, true) is SET LOCAL ROLE.
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true), set_config('role', 'forecourt_app', true)`);
    return fn(tx);
  });
}

/** Rows of a raw `execute`, whichever driver ran it. */
export async function rowsOf<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * A PostgreSQL array literal for one text parameter (cast it: `${pgTextArray(ids)}::uuid[]`).
 * drizzle spreads a JS array into a list of parameters, and `= any(array)` plans better than
 * `in (select jsonb_array_elements_text(…))` on PGlite, which never has statistics.
 */
export function pgTextArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}

/** `count(*)` is a number on PGlite and a string on pg; this is the one place that knows. */
export function toCount(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string') return Number.parseInt(value, 10);
  return 0;
}

/** The encryption master key: from the environment, or a key file created once in the data directory. */
export function loadMasterKey(configured: string | undefined, dataDir: string): string {
  if (configured) return configured.toLowerCase();
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(dataDir, { recursive: true });
  const key = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
