import type { AuditEntry } from '@forecourt/contracts';
import { and, asc, desc, eq, gt, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { auditLog } from './schema.js';

export interface AuditFilter {
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

export interface ListAuditOptions extends AuditFilter {
  limit: number;
  cursor?: string;
  order: 'asc' | 'desc';
}

export function auditWhere(filter: AuditFilter): SQL[] {
  const where: SQL[] = [];
  if (filter.actorId) where.push(eq(auditLog.actorId, filter.actorId));
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.from) where.push(gte(auditLog.at, new Date(filter.from)));
  if (filter.to) where.push(lte(auditLog.at, new Date(filter.to)));
  return where;
}

/** Audit entries of the caller's tenant (RLS limits the rows), newest first by default. */
export async function listAudit(tx: Executor, opts: ListAuditOptions) {
  const where = auditWhere(opts);
  const after = decodeCursor(opts.cursor, 1);
  if (after) where.push(opts.order === 'desc' ? lt(auditLog.id, String(after[0])) : gt(auditLog.id, String(after[0])));
  const rows = await tx
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(opts.order === 'desc' ? desc(auditLog.id) : asc(auditLog.id))
    .limit(opts.limit + 1);
  return pageFrom(rows.map(toEntry), opts.limit, (e) => [e.id]);
}

export function toEntry(row: typeof auditLog.$inferSelect): AuditEntry {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actorId,
    actorName: row.actorName,
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    ip: row.ip,
    userAgent: row.userAgent,
    details: row.details,
  };
}
