import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli.ts');

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

describe('the server process', () => {
  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-sigterm-'));
    const port = await freePort();
    // Cost 17 makes a login take ~0.4 s, so it is surely in flight when the signal lands, even on a loaded machine.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      FORECOURT_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      FORECOURT_PASSWORD_COST: '17',
    };
    if (process.env.TEST_PG_ADMIN_URL) delete env.DATABASE_URL;
    const child = spawn(process.execPath, ['--import', 'tsx/esm', CLI, 'start', '--seed-demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${base}/readyz`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
        if (Date.now() > deadline) throw new Error('server did not become ready');
        await new Promise((r) => setTimeout(r, 100));
      }
      // A login costs a scrypt hash: long enough to be in flight when the signal lands.
      const inFlight = fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant: 'demo', login: 'admin', password: 'Forecourt2026' }),
      });
      await new Promise((r) => setTimeout(r, 100));
      child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await exited).toBe(0);
      await expect(fetch(`${base}/healthz`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
