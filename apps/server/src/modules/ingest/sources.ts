import type { CreateSource, Source } from '@forecourt/contracts';
import { SourceKind } from '@forecourt/contracts';
import { and, eq, sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { conflict, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { getUnitInScope } from '../org/queries.js';
import { sources, sourceKeys } from './schema.js';
import { newWriteKey } from './write-keys.js';

type SourceRow = typeof sources.$inferSelect;

async function toSources(ctx: UseCaseContext, rows: SourceRow[]): Promise<Source[]> {
  if (rows.length === 0) return [];
  const ids = JSON.stringify(rows.map((r) => r.id));
  const keys = await rowsOf<{ source_id: string; prefix: string; expires_at: Date | string | null; last_used_at: Date | string | null }>(
    ctx.tx,
    sql`select source_id, prefix, expires_at, last_used_at from source_keys
        where tenant_id = ${ctx.auth.tenantId}::uuid and revoked_at is null and (expires_at is null or expires_at > now())
          and source_id in (select jsonb_array_elements_text(${ids}::jsonb)::uuid) order by created_at desc`,
  );
  const counters = await rowsOf<{ source_id: string; counter: string; value: number | string }>(
    ctx.tx,
    sql`select source_id, counter, value from source_counters
        where tenant_id = ${ctx.auth.tenantId}::uuid and source_id in (select jsonb_array_elements_text(${ids}::jsonb)::uuid)`,
  );
  const units = await rowsOf<{ id: string; name_zh: string }>(
    ctx.tx,
    sql`select id, name_zh from org_units where tenant_id = ${ctx.auth.tenantId}::uuid`,
  );
  const unitName = new Map(units.map((u) => [u.id, u.name_zh]));
  const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: SourceKind.parse(r.kind),
    orgUnitId: r.orgUnitId,
    orgUnitName: r.orgUnitId ? (unitName.get(r.orgUnitId) ?? null) : null,
    active: r.active,
    keyPrefixes: keys
      .filter((k) => k.source_id === r.id)
      .map((k) => ({ prefix: k.prefix, expiresAt: iso(k.expires_at), lastUsedAt: iso(k.last_used_at) })),
    counters: Object.fromEntries(counters.filter((c) => c.source_id === r.id).map((c) => [c.counter, Number(c.value)])),
    createdAt: r.createdAt.toISOString(),
    version: r.version,
  }));
}

export async function listSources(ctx: UseCaseContext): Promise<{ items: Source[] }> {
  const rows = await ctx.tx.select().from(sources).where(eq(sources.tenantId, ctx.auth.tenantId)).orderBy(sources.createdAt);
  return { items: await toSources(ctx, rows) };
}

export async function getSource(ctx: UseCaseContext, id: string): Promise<Source> {
  const [row] = await ctx.tx
    .select()
    .from(sources)
    .where(and(eq(sources.tenantId, ctx.auth.tenantId), eq(sources.id, id)));
  if (!row) throw notFound('Source');
  return (await toSources(ctx, [row]))[0]!;
}

async function issueKey(ctx: UseCaseContext, sourceId: string): Promise<string> {
  const { key, hash, prefix } = newWriteKey();
  await ctx.tx.insert(sourceKeys).values({ keyHash: hash, tenantId: ctx.auth.tenantId, sourceId, prefix });
  return key;
}

export async function createSource(ctx: UseCaseContext, input: CreateSource): Promise<{ source: Source; writeKey: string }> {
  if (input.orgUnitId) await getUnitInScope(ctx.tx, ctx.auth, input.orgUnitId);
  const id = uuidv7();
  await ctx.tx.insert(sources).values({
    tenantId: ctx.auth.tenantId,
    id,
    name: input.name,
    kind: input.kind,
    orgUnitId: input.orgUnitId ?? null,
    createdBy: ctx.auth.userId,
  });
  const writeKey = await issueKey(ctx, id);
  await auditAction(ctx, { action: 'source.created', targetType: 'source', targetId: id, details: { name: input.name, kind: input.kind } });
  return { source: await getSource(ctx, id), writeKey };
}

/** A new key; the old ones keep working for `graceHours` so deployed trackers can be switched over. */
export async function rotateSourceKey(ctx: UseCaseContext, id: string, graceHours: number): Promise<{ source: Source; writeKey: string }> {
  await getSource(ctx, id);
  await ctx.tx.execute(sql`
    update source_keys set expires_at = least(coalesce(expires_at, 'infinity'), now() + ${graceHours} * interval '1 hour')
    where tenant_id = ${ctx.auth.tenantId}::uuid and source_id = ${id}::uuid and revoked_at is null`);
  const writeKey = await issueKey(ctx, id);
  await auditAction(ctx, { action: 'source.key_rotated', targetType: 'source', targetId: id, details: { graceHours } });
  return { source: await getSource(ctx, id), writeKey };
}

/** Revoke every key of the source and stop accepting its messages. */
export async function revokeSource(ctx: UseCaseContext, id: string, version: number): Promise<Source> {
  const updated = await ctx.tx
    .update(sources)
    .set({ active: false, version: sql`${sources.version} + 1` })
    .where(and(eq(sources.tenantId, ctx.auth.tenantId), eq(sources.id, id), eq(sources.version, version)))
    .returning({ id: sources.id });
  if (updated.length === 0) {
    await getSource(ctx, id);
    throw conflict('The source was changed by someone else; reload and try again.');
  }
  await ctx.tx.execute(
    sql`update source_keys set revoked_at = now() where tenant_id = ${ctx.auth.tenantId}::uuid and source_id = ${id}::uuid and revoked_at is null`,
  );
  await auditAction(ctx, { action: 'source.revoked', targetType: 'source', targetId: id });
  return getSource(ctx, id);
}

/**
 * The source imports of this org unit write through (null: the tenant's), created on first use. A store's
 * import source makes the customers it imports part of that store's work, like any store source.
 */
export async function ensureImportSource(ctx: UseCaseContext, orgUnitId: string | null): Promise<string> {
  const t = ctx.auth.tenantId;
  // Two first uploads at once must not create two sources.
  await ctx.tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`import-source|${t}|${orgUnitId ?? ''}`}, 7271))`);
  const [found] = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`select id from sources where tenant_id = ${t}::uuid and kind = 'import' and active
          and org_unit_id is not distinct from ${orgUnitId}::uuid order by created_at limit 1`,
  );
  if (found) return found.id;
  const id = uuidv7();
  await ctx.tx.insert(sources).values({ tenantId: t, id, name: '文件导入', kind: 'import', orgUnitId, createdBy: ctx.auth.userId });
  await auditAction(ctx, { action: 'source.created', targetType: 'source', targetId: id, details: { name: '文件导入', kind: 'import' } });
  return id;
}
