import type { CreatedWebhook, CreateWebhook, UpdateWebhook, Webhook } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { encrypt, randomToken } from '../../platform/crypto.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { textArray } from './sql-helpers.js';
import { checkWebhookUrl, toWebhook, WEBHOOK_SELECT, type WebhookRow } from './webhook-rows.js';

/** A tenant needs a handful (a WeCom gateway, an SMS gateway, a BI feed); the cap stops a script, not a person. */
export const MAX_WEBHOOKS = 50;

export async function listWebhooks(ctx: UseCaseContext): Promise<Webhook[]> {
  const rows = await rowsOf<WebhookRow>(
    ctx.tx,
    sql`${WEBHOOK_SELECT} where w.tenant_id = ${ctx.auth.tenantId}::uuid order by w.created_at, w.id`,
  );
  return rows.map(toWebhook);
}

export async function getWebhook(ctx: UseCaseContext, id: string): Promise<Webhook> {
  const [row] = await rowsOf<WebhookRow>(
    ctx.tx,
    sql`${WEBHOOK_SELECT} where w.tenant_id = ${ctx.auth.tenantId}::uuid and w.id = ${id}::uuid`,
  );
  if (!row) throw notFound('Webhook');
  return toWebhook(row);
}

/** Creates a webhook with a new signing secret, stored encrypted and answered this once. */
export async function createWebhook(ctx: UseCaseContext, input: CreateWebhook): Promise<CreatedWebhook> {
  const url = checkWebhookUrl(input.url);
  const [count] = await rowsOf<{ n: unknown }>(
    ctx.tx,
    sql`select count(*) as n from webhooks where tenant_id = ${ctx.auth.tenantId}::uuid`,
  );
  if (Number(count?.n ?? 0) >= MAX_WEBHOOKS) throw conflict(`name: at most ${MAX_WEBHOOKS} webhooks per tenant; delete one first.`);
  const id = uuidv7();
  const secret = `whsec_${randomToken(24)}`;
  const eventTypes = [...new Set(input.eventTypes)];
  await ctx.tx.execute(sql`
    insert into webhooks (tenant_id, id, name, url, secret_enc, event_types, active, created_by)
    values (${ctx.auth.tenantId}::uuid, ${id}::uuid, ${input.name}, ${url}, ${encrypt(ctx.keys, secret)},
            ${textArray(eventTypes)}, ${input.active}, ${ctx.auth.userId}::uuid)`);
  await auditAction(ctx, {
    action: 'webhook.created',
    targetType: 'webhook',
    targetId: id,
    details: { name: input.name, url, eventTypes },
  });
  return { ...(await getWebhook(ctx, id)), secret };
}

/**
 * Replaces the signing secret at once (a leaked secret must stop working now) and answers the new one this once.
 * Deliveries from then on are signed with it; the receiver must be given it. A stale `version` is a 409.
 */
export async function rotateWebhookSecret(ctx: UseCaseContext, id: string, version: number): Promise<CreatedWebhook> {
  const before = await getWebhook(ctx, id);
  if (before.version !== version)
    throw conflict(`version: someone changed this webhook meanwhile (now version ${before.version}); reload and try again.`);
  const secret = `whsec_${randomToken(24)}`;
  await ctx.tx.execute(sql`
    update webhooks set secret_enc = ${encrypt(ctx.keys, secret)}, version = version + 1, updated_at = now()
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`);
  await auditAction(ctx, { action: 'webhook.secret_rotated', targetType: 'webhook', targetId: id, details: { name: before.name } });
  return { ...(await getWebhook(ctx, id)), secret };
}

/** Changes name, URL, events or active; a stale `version` is a 409 naming it. */
export async function updateWebhook(ctx: UseCaseContext, id: string, input: UpdateWebhook): Promise<Webhook> {
  const before = await getWebhook(ctx, id);
  if (before.version !== input.version)
    throw conflict(`version: someone changed this webhook meanwhile (now version ${before.version}); reload and try again.`);
  const after = {
    name: input.name ?? before.name,
    url: input.url === undefined ? before.url : checkWebhookUrl(input.url),
    eventTypes: input.eventTypes ? [...new Set(input.eventTypes)] : before.eventTypes,
    active: input.active ?? before.active,
  };
  const updated = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`update webhooks set name = ${after.name}, url = ${after.url}, event_types = ${textArray(after.eventTypes)},
          active = ${after.active}, version = version + 1, updated_at = now()
        where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid and version = ${input.version}
        returning id`,
  );
  if (updated.length === 0) throw conflict('version: someone changed this webhook meanwhile; reload and try again.');
  const changed = Object.fromEntries(
    (Object.keys(after) as (keyof typeof after)[])
      .filter((k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]))
      .map((k) => [k, { before: before[k], after: after[k] }]),
  );
  await auditAction(ctx, { action: 'webhook.updated', targetType: 'webhook', targetId: id, details: { changed } });
  return getWebhook(ctx, id);
}

/** Deletes a webhook and its delivery log. */
export async function deleteWebhook(ctx: UseCaseContext, id: string): Promise<void> {
  const [row] = await rowsOf<{ name: string; url: string }>(
    ctx.tx,
    sql`delete from webhooks where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid returning name, url`,
  );
  if (!row) throw notFound('Webhook');
  await auditAction(ctx, { action: 'webhook.deleted', targetType: 'webhook', targetId: id, details: { name: row.name, url: row.url } });
}
