import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { pino } from 'pino';
import { createForecourt, type Forecourt } from '../app.js';
import { loadConfig } from '../platform/config.js';
import { DEMO_PASSWORD, seedDemo } from '../seed/demo.js';

/**
 * A real Forecourt on a fresh database per test file: PGlite in a temp dir, or, when
 * TEST_PG_ADMIN_URL is set (npm run test:pg), a throw-away PostgreSQL database.
 */
export interface TestApp extends Forecourt {
  logs: string[];
  dataDir: string;
  login(login: string, tenant?: string, password?: string): Promise<Session>;
  stop(): Promise<void>;
}

export interface Session {
  cookie: string;
  csrf: string;
  me: { user: { id: string; orgUnitId: string }; tenant: { id: string } };
  headers(write?: boolean): Record<string, string>;
}

/** The random part of an API key, everything after `fc_<prefix>_`; it is base64url, so it may itself contain `_`. */
export function secretOf(key: string): string {
  return key.slice(key.indexOf('_', 3) + 1);
}

export async function startTestApp(opts: { seed?: boolean; jobs?: boolean; env?: Record<string, string> } = {}): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-test-'));
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  if (adminUrl) {
    dbName = `fc_test_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, sink);
  const config = loadConfig({
    FORECOURT_DATA_DIR: dataDir,
    LOG_LEVEL: 'info',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...opts.env,
  });
  const fc = await createForecourt(config, { logger, jobs: opts.jobs ?? false });
  if (opts.seed ?? true) await seedDemo(fc.database, fc.keys);
  await fc.app.ready();

  const login = async (loginName: string, tenant = 'demo', password = DEMO_PASSWORD): Promise<Session> => {
    const res = await fc.app.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant, login: loginName, password } });
    if (res.statusCode !== 200) throw new Error(`login ${loginName} failed: ${res.statusCode} ${res.body}`);
    const setCookie = res.cookies.find((c) => c.name === 'fc_session');
    if (!setCookie) throw new Error('no session cookie');
    const me = res.json() as Session['me'] & { csrfToken: string };
    const cookie = `fc_session=${setCookie.value}`;
    return {
      cookie,
      csrf: me.csrfToken,
      me,
      headers: (write = false): Record<string, string> => (write ? { cookie, 'x-csrf-token': me.csrfToken } : { cookie }),
    };
  };

  return {
    ...fc,
    logs,
    dataDir,
    login,
    async stop() {
      await fc.close();
      if (adminUrl && dbName) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`drop database if exists ${dbName} with (force)`);
        await admin.end();
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
