import { and, desc } from 'drizzle-orm';
import type { Executor } from '../../platform/db.js';
import { auditLog } from './schema.js';
import { auditWhere, toEntry, type AuditFilter } from './list-audit.js';

export const AUDIT_EXPORT_LIMIT = 100_000;

/** RFC 4180 field; a leading = + - @ is prefixed so spreadsheets don't run it as a formula. */
export function csvField(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export async function exportAuditCsv(tx: Executor, filter: AuditFilter): Promise<{ csv: string; rows: number }> {
  const rows = await tx
    .select()
    .from(auditLog)
    .where(and(...auditWhere(filter)))
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_EXPORT_LIMIT);
  const header = ['at', 'actor_id', 'actor_name', 'action', 'target_type', 'target_id', 'ip', 'user_agent', 'details'];
  const lines = rows
    .map(toEntry)
    .map((e) => [e.at, e.actorId, e.actorName, e.action, e.targetType, e.targetId, e.ip, e.userAgent, e.details].map(csvField).join(','));
  // BOM so Excel opens the Chinese text as UTF-8.
  return { csv: `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`, rows: rows.length };
}
