import type { RecordConsent } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { decrypt } from '../../platform/crypto.js';
import { rowsOf } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { getUserInScope } from '../org/queries.js';
import { getCustomer, getProfileRow } from './queries.js';

export async function updateCustomer(
  ctx: UseCaseContext,
  id: string,
  input: { version: number; tags?: string[]; lifecycleStage?: string; ownerUserId?: string | null },
) {
  const p = await getProfileRow(ctx, id);
  let ownerUnit: string | null | undefined;
  if (input.ownerUserId) ownerUnit = (await getUserInScope(ctx.tx, ctx.auth, input.ownerUserId)).user.orgUnitId;
  else if (input.ownerUserId === null) ownerUnit = null;
  const updated = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`update profiles set updated_at = now(), version = version + 1
        where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${p.id}::uuid and version = ${input.version} returning id`,
  );
  if (updated.length === 0) throw conflict('The customer was changed by someone else; reload and try again.');
  if (input.tags)
    await ctx.tx.execute(
      sql`update profiles set tags = array(select jsonb_array_elements_text(${JSON.stringify([...new Set(input.tags)])}::jsonb)) where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${p.id}::uuid`,
    );
  if (input.lifecycleStage)
    await ctx.tx.execute(
      sql`update profiles set lifecycle_stage = ${input.lifecycleStage} where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${p.id}::uuid`,
    );
  if (ownerUnit !== undefined) {
    await ctx.tx.execute(
      sql`update profiles set owner_user_id = ${input.ownerUserId ?? null}::uuid, owner_org_unit_id = ${ownerUnit}::uuid where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${p.id}::uuid`,
    );
    if (ownerUnit) {
      await ctx.tx.execute(sql`
        insert into profile_units (tenant_id, profile_id, org_unit_id, path, reason)
        select ${ctx.auth.tenantId}::uuid, ${p.id}::uuid, u.id, u.path, 'consultant' from org_units u
        where u.tenant_id = ${ctx.auth.tenantId}::uuid and u.id = ${ownerUnit}::uuid on conflict do nothing`);
    }
  }
  await auditAction(ctx, {
    action: 'customer.updated',
    targetType: 'customer',
    targetId: p.id,
    details: { fields: Object.keys(input).filter((k) => k !== 'version') },
  });
  return getCustomer(ctx, p.id);
}

export async function recordConsent(ctx: UseCaseContext, id: string, input: RecordConsent) {
  const p = await getProfileRow(ctx, id);
  await ctx.tx.execute(sql`
    insert into consents (tenant_id, id, profile_id, purpose, channel, granted, at, actor_id, evidence)
    values (${ctx.auth.tenantId}::uuid, ${uuidv7()}::uuid, ${p.id}::uuid, ${input.purpose}, ${input.channel}, ${input.granted}, now(), ${ctx.auth.userId}::uuid,
            ${JSON.stringify({ note: input.evidence, recordedBy: ctx.auth.displayName })}::jsonb)`);
  await auditAction(ctx, {
    action: input.granted ? 'consent.granted' : 'consent.withdrawn',
    targetType: 'customer',
    targetId: p.id,
    details: { purpose: input.purpose, channel: input.channel },
  });
  return getCustomer(ctx, p.id);
}

/** The full identity values of a customer, for a user allowed to see them; every reveal is audited. */
export async function revealCustomer(ctx: UseCaseContext, id: string) {
  const p = await getProfileRow(ctx, id);
  const rows = await rowsOf<{ type: string; masked: string; value_enc: string }>(
    ctx.tx,
    sql`select type, masked, value_enc from identities where tenant_id = ${ctx.auth.tenantId}::uuid and profile_id = ${p.id}::uuid and type <> 'national_id'`,
  );
  await auditAction(ctx, {
    action: 'customer.revealed',
    targetType: 'customer',
    targetId: p.id,
    details: { types: [...new Set(rows.map((r) => r.type))] },
  });
  return { items: rows.map((r) => ({ type: r.type, masked: r.masked, value: decrypt(ctx.keys, r.value_enc) })) };
}
