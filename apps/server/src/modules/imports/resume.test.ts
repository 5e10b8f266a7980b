import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportPreview, ImportView } from '@forecourt/contracts';
import { rowsOf, toCount } from '../../platform/db.js';
import { startTestApp, type Session, type TestApp } from '../../test/harness.js';
import { runImport } from './run-import.js';

let t: TestApp;
let admin: Session;

// No workers in this process: the test runs the job's function itself, so it can stop it between batches.
beforeAll(async () => {
  t = await startTestApp({ jobs: false });
  admin = await t.login('admin');
}, 60_000);
afterAll(() => t.stop());

/** 20 data rows: 16 customers, 2 bad rows (lines 6 and 12), 2 repeats of earlier rows (lines 16 and 21). */
function csv(): string {
  const lines = ['手机号码,姓名,城市,是否同意短信营销'];
  for (let i = 1; i <= 20; i++) {
    if (i === 5 || i === 11) lines.push(`1${i},坏行${i},上海,是`);
    else if (i === 15) lines.push(lines[2]!);
    else if (i === 20) lines.push(lines[8]!);
    else lines.push(`1581234${String(i).padStart(4, '0')},客户${i},上海,是`);
  }
  return lines.join('\n');
}

const count = async (query: ReturnType<typeof sql>) => toCount((await rowsOf<{ n: unknown }>(t.database.db, query))[0]?.n);

async function prepare(): Promise<ImportView> {
  const up = await t.app.inject({
    method: 'POST',
    url: '/api/imports?fileName=resume.csv',
    headers: { ...admin.headers(true), 'content-type': 'text/csv' },
    payload: csv(),
  });
  expect(up.statusCode).toBe(201);
  const preview = up.json() as ImportPreview;
  const saved = await t.app.inject({
    method: 'PUT',
    url: `/api/imports/${preview.import.id}/mapping`,
    headers: admin.headers(true),
    payload: { mapping: preview.mapping, version: preview.import.version },
  });
  expect(saved.statusCode).toBe(200);
  const started = await t.app.inject({
    method: 'POST',
    url: `/api/imports/${preview.import.id}/start`,
    headers: admin.headers(true),
    payload: { dryRun: false, version: (saved.json() as ImportPreview).import.version },
  });
  expect(started.statusCode).toBe(202);
  return started.json() as ImportView;
}

/** The run looks at its signal before each batch: this one reads as aborted once `batches` have committed, like a killed process. */
function stopAfterBatches(batches: number): AbortSignal {
  let looks = 0;
  return {
    get aborted() {
      looks += 1;
      return looks > batches;
    },
  } as AbortSignal;
}

const view = async (id: string) =>
  (await t.app.inject({ method: 'GET', url: `/api/imports/${id}`, headers: admin.headers() })).json() as ImportView;

describe('an interrupted import', () => {
  it('resumes from its last committed batch and ends with the counts of an uninterrupted run, each row in once', async () => {
    const deps = { database: t.database, logger: t.logger, keys: t.keys };
    const first = await prepare();
    const profilesBefore = await count(sql`select count(*) as n from profiles`);

    expect(await runImport(deps, admin.me.tenant.id, first.id, { batchSize: 4, signal: stopAfterBatches(2) })).toBe('interrupted');
    const halfway = await view(first.id);
    expect(halfway).toMatchObject({ status: 'running', processedRows: 8, okRows: 7, errorRows: 1, duplicateRows: 0, totalRows: 20 });
    expect(halfway.percent).toBe(40);

    // Started again (what a user's click or the start-up recovery does): queued once more, same kind, resumes.
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${first.id}/start`,
      headers: admin.headers(true),
      payload: { dryRun: false, version: halfway.version },
    });
    expect(again.statusCode).toBe(202);
    // Two runners at once, as when a restarted process and a retry both pick it up: one finishes, the other stops.
    // They prepare rows on worker threads, as a large file's run does; the first run above did it on this thread.
    const results = await Promise.all([
      runImport(deps, admin.me.tenant.id, first.id, { batchSize: 4, worker: true }),
      runImport(deps, admin.me.tenant.id, first.id, { batchSize: 4, worker: true }),
    ]);
    expect(results.sort()).toEqual(['done', 'stopped']);
    const done = await view(first.id);
    expect(done).toMatchObject({
      status: 'done',
      processedRows: 20,
      okRows: 16,
      errorRows: 2,
      duplicateRows: 2,
      totalRows: 20,
      percent: 100,
    });
    expect(done.outcome).toEqual({ newProfiles: 16, matchedRows: 0, merges: 0 });
    expect(await count(sql`select count(*) as n from profiles`)).toBe(profilesBefore + 16);
    expect(await count(sql`select count(*) as n from events where properties->>'importId' = ${first.id}`)).toBe(16);
    expect(await count(sql`select count(distinct message_id) as n from events where properties->>'importId' = ${first.id}`)).toBe(16);
    expect(await count(sql`select count(*) as n from consents where evidence->>'importId' = ${first.id}`)).toBe(16);
    expect(await count(sql`select count(*) as n from import_errors where import_id = ${first.id}::uuid`)).toBe(2);

    // A finished import is not run again.
    expect(await runImport(deps, admin.me.tenant.id, first.id)).toBe('stopped');
  });

  it('a file that breaks half-way fails with the line, keeps the rows before it, and a retry fails the same way without duplicates', async () => {
    const deps = { database: t.database, logger: t.logger, keys: t.keys };
    // Broken near the top: the upload's preview already says where.
    const early = await t.app.inject({
      method: 'POST',
      url: '/api/imports?fileName=early.csv',
      headers: { ...admin.headers(true), 'content-type': 'text/csv' },
      payload: ['手机号码,姓名', '15912340001,甲', '15912340003,"丙', '15912340004,丁'].join('\n'),
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.message).toMatch(/^The file cannot be read from line 3 on: a field opens a quote/);

    // Broken below the preview: rows 2–26 go in, line 27 stops the import.
    const good = Array.from({ length: 25 }, (_, i) => `159123${String(i).padStart(5, '0')},客户${i}`);
    const broken = ['手机号码,姓名', ...good, '15912399999,"丙', '15912399998,丁'].join('\n');
    const up = await t.app.inject({
      method: 'POST',
      url: '/api/imports?fileName=broken.csv',
      headers: { ...admin.headers(true), 'content-type': 'text/csv' },
      payload: broken,
    });
    const preview = up.json() as ImportPreview;
    const saved = await t.app.inject({
      method: 'PUT',
      url: `/api/imports/${preview.import.id}/mapping`,
      headers: admin.headers(true),
      payload: { mapping: preview.mapping, version: preview.import.version },
    });
    await t.app.inject({
      method: 'POST',
      url: `/api/imports/${preview.import.id}/start`,
      headers: admin.headers(true),
      payload: { dryRun: false, version: (saved.json() as ImportPreview).import.version },
    });
    expect(await runImport(deps, admin.me.tenant.id, preview.import.id, { batchSize: 5 })).toBe('failed');
    const failed = await view(preview.import.id);
    expect(failed).toMatchObject({ status: 'failed', okRows: 25 });
    expect(failed.failure).toMatch(/cannot be read from line 27 on: a field opens a quote/);
    const retry = await t.app.inject({
      method: 'POST',
      url: `/api/imports/${preview.import.id}/start`,
      headers: admin.headers(true),
      payload: { dryRun: false, version: failed.version },
    });
    expect(retry.statusCode).toBe(202);
    // The retry prepares rows on a worker thread: the file's error comes back from it with the same line.
    expect(await runImport(deps, admin.me.tenant.id, preview.import.id, { batchSize: 5, worker: true })).toBe('failed');
    const again = await view(preview.import.id);
    expect(again).toMatchObject({ status: 'failed', okRows: 25, duplicateRows: 0 });
    expect(again.failure).toMatch(/cannot be read from line 27 on: a field opens a quote/);
  });
});
