import { ALLOWED_PARENTS, type CreateOrgUnit, type OrgUnitType, type UpdateOrgUnit } from '@forecourt/contracts';
import { and, asc, eq, sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, toCount } from '../../platform/db.js';
import { AppError, conflict } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { getUnitInScope, toOrgUnit, type OrgUnitRow } from './queries.js';
import { orgUnits } from './schema.js';
import { unitInScope } from './scope.js';

export async function listOrgUnits(ctx: UseCaseContext, opts: { includeInactive: boolean }) {
  const where = [eq(orgUnits.tenantId, ctx.auth.tenantId), unitInScope(ctx.auth)];
  if (!opts.includeInactive) where.push(eq(orgUnits.active, true));
  const rows = await ctx.tx
    .select()
    .from(orgUnits)
    .where(and(...where))
    .orderBy(asc(orgUnits.path), asc(orgUnits.code));
  return { items: rows.map(toOrgUnit) };
}

function checkParentType(type: OrgUnitType, parent: OrgUnitRow | null) {
  const allowed = ALLOWED_PARENTS[type];
  const parentType = (parent?.type ?? null) as OrgUnitType | null;
  if (!allowed.includes(parentType)) {
    const where = parentType ? `under a ${parentType}` : 'at the top level';
    throw new AppError(
      'VALIDATION_FAILED',
      `parentId: a ${type} cannot sit ${where}; allowed: ${allowed.map((p) => p ?? 'top level').join(', ')}.`,
      [{ path: 'parentId', message: `a ${type} cannot sit ${where}` }],
    );
  }
}

async function assertCodeFree(ctx: UseCaseContext, code: string, exceptId?: string) {
  const [row] = await ctx.tx
    .select({ id: orgUnits.id })
    .from(orgUnits)
    .where(and(eq(orgUnits.tenantId, ctx.auth.tenantId), eq(orgUnits.code, code)));
  if (row && row.id !== exceptId)
    throw conflict(`code: another unit already uses the code ${code}.`, [{ path: 'code', message: 'already in use' }]);
}

export async function createOrgUnit(ctx: UseCaseContext, input: CreateOrgUnit) {
  const parent = input.parentId ? await getUnitInScope(ctx.tx, ctx.auth, input.parentId) : null;
  if (!parent && ctx.auth.scopePath !== '/') {
    throw new AppError('FORBIDDEN', 'Only tenant-wide administrators can create top-level units.');
  }
  if (parent && !parent.active) throw conflict('parentId: the parent unit is deactivated.');
  checkParentType(input.type, parent);
  await assertCodeFree(ctx, input.code);
  const id = uuidv7();
  const [row] = await ctx.tx
    .insert(orgUnits)
    .values({
      tenantId: ctx.auth.tenantId,
      id,
      parentId: parent?.id ?? null,
      path: `${parent?.path ?? '/'}${id}/`,
      type: input.type,
      code: input.code,
      nameZh: input.nameZh,
      nameEn: input.nameEn,
      province: input.province ?? null,
      city: input.city ?? null,
      address: input.address ?? null,
      businessHours: input.businessHours ?? [],
      timeZone: input.timeZone ?? parent?.timeZone ?? ctx.auth.tenantTimeZone,
    })
    .returning();
  await auditAction(ctx, {
    action: 'org.created',
    targetType: 'org_unit',
    targetId: id,
    details: { code: input.code, type: input.type },
  });
  return toOrgUnit(row!);
}

/** Apply a versioned update; a stale version is a 409, never a silent overwrite. */
async function updateVersioned(ctx: UseCaseContext, current: OrgUnitRow, version: number, values: Partial<typeof orgUnits.$inferInsert>) {
  if (current.version !== version) throw staleVersion(current.version);
  const [row] = await ctx.tx
    .update(orgUnits)
    .set({ ...values, version: current.version + 1, updatedAt: new Date() })
    .where(and(eq(orgUnits.tenantId, ctx.auth.tenantId), eq(orgUnits.id, current.id), eq(orgUnits.version, version)))
    .returning();
  if (!row) throw staleVersion(current.version);
  return row;
}

export function staleVersion(current: number) {
  return conflict('Someone else changed this record; reload it and try again.', { currentVersion: current });
}

export async function updateOrgUnit(ctx: UseCaseContext, id: string, input: UpdateOrgUnit) {
  const current = await getUnitInScope(ctx.tx, ctx.auth, id);
  if (input.code && input.code !== current.code) await assertCodeFree(ctx, input.code, id);
  const { version, ...changes } = input;
  const row = await updateVersioned(ctx, current, version, changes);
  await auditAction(ctx, {
    action: 'org.updated',
    targetType: 'org_unit',
    targetId: id,
    details: { fields: Object.keys(changes) },
  });
  return toOrgUnit(row);
}

export async function moveOrgUnit(ctx: UseCaseContext, id: string, input: { parentId: string | null; version: number }) {
  const unit = await getUnitInScope(ctx.tx, ctx.auth, id);
  if (unit.path === ctx.auth.scopePath) throw new AppError('FORBIDDEN', 'You cannot move the unit your own access is anchored at.');
  const parent = input.parentId ? await getUnitInScope(ctx.tx, ctx.auth, input.parentId) : null;
  if (!parent && ctx.auth.scopePath !== '/')
    throw new AppError('FORBIDDEN', 'Only tenant-wide administrators can move units to the top level.');
  if (parent && parent.path.startsWith(unit.path)) {
    throw conflict('parentId: a unit cannot move under itself or one of its own children.', [
      { path: 'parentId', message: 'inside the unit being moved' },
    ]);
  }
  checkParentType(unit.type as OrgUnitType, parent);
  const newPath = `${parent?.path ?? '/'}${unit.id}/`;
  const row = await updateVersioned(ctx, unit, input.version, { parentId: parent?.id ?? null, path: newPath });
  // Re-root every descendant's path in one statement.
  await ctx.tx.execute(sql`
    update org_units set path = ${newPath} || substr(path, ${unit.path.length + 1})
    where tenant_id = ${ctx.auth.tenantId} and path like ${unit.path + '%'} and id <> ${unit.id}`);
  await auditAction(ctx, {
    action: 'org.moved',
    targetType: 'org_unit',
    targetId: id,
    details: { from: unit.parentId, to: parent?.id ?? null },
  });
  return toOrgUnit(row);
}

export async function setOrgUnitActive(ctx: UseCaseContext, id: string, input: { version: number; active: boolean }) {
  const unit = await getUnitInScope(ctx.tx, ctx.auth, id);
  if (!input.active) {
    if (unit.path === ctx.auth.scopePath) throw new AppError('FORBIDDEN', 'You cannot deactivate the unit your own access is anchored at.');
    const [counts] = await rowsOf<{ units: unknown; members: unknown }>(
      ctx.tx,
      sql`select
        (select count(*) from org_units where tenant_id = ${ctx.auth.tenantId} and path like ${unit.path + '%'} and id <> ${unit.id} and active) as units,
        (select count(*) from users u join org_units o on o.tenant_id = u.tenant_id and o.id = u.org_unit_id
          where u.tenant_id = ${ctx.auth.tenantId} and o.path like ${unit.path + '%'} and u.active) as members`,
    );
    const units = toCount(counts?.units);
    const members = toCount(counts?.members);
    if (units > 0 || members > 0) {
      throw conflict(`This unit still has ${units} active sub-units and ${members} active users; move or deactivate them first.`, {
        activeUnits: units,
        activeUsers: members,
      });
    }
  } else if (unit.parentId) {
    const [parent] = await ctx.tx
      .select({ active: orgUnits.active })
      .from(orgUnits)
      .where(and(eq(orgUnits.tenantId, ctx.auth.tenantId), eq(orgUnits.id, unit.parentId)));
    if (parent && !parent.active) throw conflict('Reactivate the parent unit first.');
  }
  const row = await updateVersioned(ctx, unit, input.version, { active: input.active });
  await auditAction(ctx, {
    action: input.active ? 'org.updated' : 'org.deactivated',
    targetType: 'org_unit',
    targetId: id,
    details: { active: input.active },
  });
  return toOrgUnit(row);
}
