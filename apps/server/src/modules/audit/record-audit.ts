import type { AuditAction } from '@forecourt/contracts';
import type { Executor } from '../../platform/db.js';
import { uuidv7 } from '../../platform/ids.js';
import { actorOf, type RequestMeta } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { auditLog } from './schema.js';

export interface AuditInput {
  tenantId: string;
  action: AuditAction | (string & {});
  actorId: string | null;
  actorName: string | null;
  targetType?: string;
  targetId?: string;
  meta?: RequestMeta;
  /** Never personal data: ids, field names, old and new roles. */
  details?: Record<string, unknown>;
}

/** Append one entry to the tenant's audit log, inside the caller's transaction. */
export async function recordAudit(executor: Executor, input: AuditInput): Promise<void> {
  await executor.insert(auditLog).values({
    tenantId: input.tenantId,
    id: uuidv7(),
    actorId: input.actorId,
    actorName: input.actorName,
    action: input.action,
    targetType: input.targetType ?? null,
    targetId: input.targetId ?? null,
    ip: input.meta?.ip ?? null,
    userAgent: input.meta?.userAgent?.slice(0, 300) ?? null,
    details: input.details ?? {},
  });
}

/** Audit an action of the use case's caller: tenant, actor and request facts come from the context. */
export function auditAction(
  ctx: Pick<UseCaseContext, 'tx' | 'auth' | 'meta'>,
  entry: Pick<AuditInput, 'action' | 'targetType' | 'targetId' | 'details'>,
): Promise<void> {
  return recordAudit(ctx.tx, { tenantId: ctx.auth.tenantId, ...actorOf(ctx.auth), meta: ctx.meta, ...entry });
}
