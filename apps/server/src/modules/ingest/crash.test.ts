import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deriveKeys } from '../../platform/crypto.js';
import { loadMasterKey, openDatabase, rowsOf } from '../../platform/db.js';
import { SourceCounters } from './counters.js';
import { processInboundBatch } from './process-inbound.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cli.ts');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function startServer(dataDir: string, port: number, seed: boolean): Promise<ChildProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, FORECOURT_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const child = spawn(process.execPath, ['--import', 'tsx/esm', CLI, 'start', ...(seed ? ['--seed-demo'] : [])], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return child;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('durability', () => {
  it('after SIGKILL in the middle of a load, every acknowledged event is present exactly once', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-sigkill-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let child = await startServer(dataDir, port, true);
    try {
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', login: 'admin', password: 'Forecourt2026' }),
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const { csrfToken } = (await login.json()) as { csrfToken: string };
      const created = await fetch(`${base}/api/sources`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrfToken },
        body: JSON.stringify({ name: 'Load', kind: 'app' }),
      });
      const { writeKey } = (await created.json()) as { writeKey: string };
      const auth = `Basic ${Buffer.from(`${writeKey}:`).toString('base64')}`;

      const acked: string[] = [];
      let n = 0;
      let killed = false;
      const client = async (c: number) => {
        while (!killed) {
          const ids = Array.from({ length: 50 }, () => `kill-${c}-${n++}`);
          const body = JSON.stringify({
            batch: ids.map((id, i) => ({
              type: i % 5 ? 'track' : 'identify',
              event: 'Viewed',
              messageId: id,
              anonymousId: `dev-${c}-${i % 7}`,
              userId: i % 5 ? undefined : `u-${c}-${i}`,
            })),
          });
          const ok = await fetch(`${base}/v1/batch`, {
            method: 'POST',
            headers: { authorization: auth, 'content-type': 'application/json' },
            body,
          }).then(
            (r) => r.status === 200,
            () => false,
          );
          if (ok) acked.push(...ids);
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await new Promise((r) => setTimeout(r, 2500));
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      killed = true;
      await Promise.all(clients);
      await gone;
      expect(acked.length).toBeGreaterThan(200);

      // Restart on the same data; then finish the log the way the pipeline does and count.
      child = await startServer(dataDir, port, false);
      const stopped = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await stopped;
      const database = await openDatabase({ dataDir });
      try {
        const keys = deriveKeys(loadMasterKey(undefined, dataDir));
        while ((await processInboundBatch(database, keys, new SourceCounters())) > 0);
        const rows = await rowsOf<{ message_id: string; n: number | string }>(
          database.db,
          sql`select message_id, count(*) as n from events where message_id like 'kill-%' group by message_id`,
        );
        const count = new Map(rows.map((r) => [r.message_id, Number(r.n)]));
        const missing = acked.filter((id) => count.get(id) !== 1);
        expect(missing, `${missing.length} of ${acked.length} acknowledged events missing or duplicated`).toEqual([]);
        expect([...count.values()].every((v) => v === 1)).toBe(true);
      } finally {
        await database.close();
      }
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 150_000);
});
