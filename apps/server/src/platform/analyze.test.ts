import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../test/harness.js';
import { analyzeGrownTables } from './analyze.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ seed: false });
});
afterAll(() => t.stop());

describe('planner statistics on the embedded database', () => {
  it('a table that grew gets analysed once, and a lookup by a jsonb list of ids then uses its index', async () => {
    const raw = t.database.raw;
    await raw.exec(`create table analyze_probe (id int primary key, payload text);
                    insert into analyze_probe select g, repeat('x', 100) from generate_series(1, 20000) g`);
    const first = await analyzeGrownTables(t.database);
    if (t.database.kind === 'postgres') {
      expect(first).toEqual([]); // autovacuum's job there
      return;
    }
    expect(first).toContain('public.analyze_probe');
    expect(await analyzeGrownTables(t.database)).not.toContain('public.analyze_probe');
    const { rows } = await raw.query(`select reltuples from pg_class where relname = 'analyze_probe'`);
    expect(Number(rows[0]!.reltuples)).toBe(20000);
    const plan = await raw.query(
      `explain select payload from analyze_probe where id in (select jsonb_array_elements_text('["17","4242"]'::jsonb)::int)`,
    );
    expect(plan.rows.map((r) => String(Object.values(r)[0])).join('\n')).toMatch(/Index Scan using analyze_probe_pkey/);
  });
});
