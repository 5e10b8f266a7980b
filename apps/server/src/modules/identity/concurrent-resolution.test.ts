import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf, withTenant } from '../../platform/db.js';
import { startTestApp, type TestApp } from '../../test/harness.js';
import { extractIdentities } from './extract-identities.js';
import { toIdentityValue } from './identity-values.js';
import type { MessageToResolve } from './plan-batch.js';
import { resolveBatch } from './resolve-batch.js';
import { loadSettings } from './settings.js';

// Two batches resolving at the same moment on two connections: only PostgreSQL has more than one.
describe.runIf(process.env.TEST_PG_ADMIN_URL)('resolution of two batches at once (PostgreSQL)', () => {
  let t: TestApp;
  let tenantId: string;
  let sourceId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const admin = await t.login('admin');
    tenantId = admin.me.tenant.id;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sources',
      headers: admin.headers(true),
      payload: { name: 'Website', kind: 'website' },
    });
    sourceId = res.json().source.id;
  });
  afterAll(() => t.stop());

  const message = (index: number, m: { anonymousId?: string; traits: Record<string, unknown> }): MessageToResolve => {
    const extracted = extractIdentities({ userId: null, anonymousId: m.anonymousId ?? null, traits: m.traits, sourceId });
    return {
      index,
      sourceId,
      sourceKind: 'website',
      at: new Date().toISOString(),
      extracted,
      identities: extracted.identities.map((i) => toIdentityValue(t.keys, i.type, i.value, i.scope)),
    };
  };
  /** Resolves the messages in a transaction of its own; the transaction commits when `hold` resolves. */
  const resolveIn = (messages: MessageToResolve[], hold: Promise<void> = Promise.resolve()) =>
    withTenant(t.database.db, tenantId, async (tx) => {
      const settings = await loadSettings(tx, tenantId);
      const plan = await resolveBatch(tx, { kind: 'postgres', keys: t.keys, tenantId, settings, messages, kindOf: () => 'website' });
      await hold;
      return plan;
    });
  const traitsOf = async (anonymousId: string) => {
    const [row] = await rowsOf<{ traits: Record<string, unknown> }>(
      t.database.db,
      sql`select p.traits
          from identities i join profiles p on p.tenant_id = i.tenant_id and p.id = i.profile_id
          where i.tenant_id = ${tenantId}::uuid and i.type = 'anonymous_id' and i.key = ${message(0, { anonymousId, traits: {} }).identities[0]!.key}`,
    );
    return row!;
  };

  it('a profile reached through two different identities keeps what both batches wrote', async () => {
    // One person, known by a device id and a phone.
    await resolveIn([message(0, { anonymousId: 'anon-race-1', traits: { phone: '13912348765', name: '周杰' } })]);

    // Batch 1 reaches the profile by the device id and stays open; batch 2 reaches it by the phone meanwhile.
    let release!: () => void;
    const first = resolveIn([message(0, { anonymousId: 'anon-race-1', traits: { city: '杭州' } })], new Promise((r) => (release = r)));
    await new Promise((r) => setTimeout(r, 300));
    const second = resolveIn([message(0, { traits: { phone: '139 1234 8765', 意向车型: 'ID.4' } })]);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([first, second]);

    // Planned from the same state, the second write would have dropped the first one's city.
    const { traits } = await traitsOf('anon-race-1');
    expect(traits).toMatchObject({ name: '周杰', city: '杭州', 意向车型: 'ID.4' });
  });

  it('a batch that waited for a merge of its profile follows the identities to the surviving profile', async () => {
    await resolveIn([message(0, { anonymousId: 'anon-race-2', traits: { name: '吴敏' } })]);
    await resolveIn([message(0, { anonymousId: 'anon-race-3', traits: { email: 'wumin.race@163.com' } })]);

    // Batch 1 links the two devices (one person): the one profile is merged into the other, and stays open.
    let release!: () => void;
    const first = resolveIn(
      [message(0, { anonymousId: 'anon-race-2', traits: { email: 'wumin.race@163.com' } })],
      new Promise((r) => (release = r)),
    );
    await new Promise((r) => setTimeout(r, 300));
    // Batch 2 reaches the merged-away side by its device id and adds a phone.
    const second = resolveIn([message(0, { anonymousId: 'anon-race-3', traits: { phone: '13652918374' } })]);
    await new Promise((r) => setTimeout(r, 300));
    release();
    await Promise.all([first, second]);

    const keyOf = (traits: Record<string, unknown>, anonymousId?: string) => message(0, { anonymousId, traits }).identities[0]!.key;
    const phoneKey = keyOf({ phone: '13652918374' });
    const [owner] = await rowsOf<{ merged_into: string | null; same: boolean }>(
      t.database.db,
      sql`select p.merged_into,
                 p.id = (select profile_id from identities where tenant_id = ${tenantId}::uuid and type = 'anonymous_id'
                           and key = ${keyOf({}, 'anon-race-2')}) as same
          from identities i join profiles p on p.tenant_id = i.tenant_id and p.id = i.profile_id
          where i.tenant_id = ${tenantId}::uuid and i.type = 'phone' and i.key = ${phoneKey}`,
    );
    // The phone sits on the surviving profile, with both devices, not on the profile that was merged away.
    expect(owner).toEqual({ merged_into: null, same: true });
  });
});
