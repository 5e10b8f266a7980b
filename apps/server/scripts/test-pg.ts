// npm run test:pg: the same suite against PostgreSQL. Every test file creates and drops its own
// database on the server named by DATABASE_URL (default: the local server at 127.0.0.1:5432).
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const client = new pg.Client({ connectionString: adminUrl });
try {
  await client.connect();
} catch (err) {
  console.error(`test:pg needs a PostgreSQL server at ${adminUrl.replace(/:[^:@/]+@/, ':***@')}: ${(err as Error).message}`);
  process.exit(2);
}
// The app role is cluster-wide: create it once here so parallel test files don't race to create it.
await client.query(`do $$ begin create role forecourt_app nologin; exception when duplicate_object then null; end $$`);
const leftovers = await client.query<{ datname: string }>(`select datname from pg_database where datname like 'fc_test_%'`);
for (const { datname } of leftovers.rows) await client.query(`drop database if exists ${datname} with (force)`);
await client.end();

const env: NodeJS.ProcessEnv = { ...process.env, TEST_PG_ADMIN_URL: adminUrl };
delete env.DATABASE_URL;
const result = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
