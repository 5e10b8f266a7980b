import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestApp, type TestApp } from '../test/harness.js';
import { defineJob, Jobs } from './jobs.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ seed: false });
});
afterAll(() => t.stop());

describe('jobs on the configured database', () => {
  it('runs a registered job with a validated payload and finishes it before a graceful stop returns', async () => {
    const seen: number[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow = defineJob({
      name: 'test.slow',
      payload: z.object({ n: z.number() }),
      handler: async ({ n }) => {
        await gate;
        await new Promise((r) => setTimeout(r, 200));
        seen.push(n);
      },
    });
    const jobs = new Jobs(t.database, t.logger, [slow], t.keys);
    await jobs.start({ work: true });
    await jobs.send(slow, { n: 7 });
    await expect(jobs.send(slow, { n: 'seven' } as never)).rejects.toThrow();
    // wait until the worker has picked the job up, then stop while it is still running
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      const { rows } = await t.database.raw.query<{ state: string }>(`select state from pgboss.job where name = 'test.slow'`);
      if (rows[0]?.state === 'active') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    setTimeout(release, 100);
    await jobs.stop();
    expect(seen).toEqual([7]);
  }, 30_000);
});
