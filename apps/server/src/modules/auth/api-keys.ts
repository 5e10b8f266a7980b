import type { ApiKeyScope } from '@forecourt/contracts';
import { and, desc, eq, isNull } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import { randomToken, sha256 } from '../../platform/crypto.js';
import { AppError, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { users } from '../org/schema.js';
import { apiKeys } from './schema.js';

type ApiKeyRow = typeof apiKeys.$inferSelect;

function toApiKey(row: ApiKeyRow, createdByName: string | null) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes as ApiKeyScope[],
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    createdByName,
  };
}

export async function listApiKeys(ctx: UseCaseContext) {
  const rows = await ctx.tx
    .select({ key: apiKeys, by: users.displayName })
    .from(apiKeys)
    .leftJoin(users, and(eq(users.tenantId, apiKeys.tenantId), eq(users.id, apiKeys.createdBy)))
    .where(eq(apiKeys.tenantId, ctx.auth.tenantId))
    .orderBy(desc(apiKeys.createdAt));
  return { items: rows.map((r) => toApiKey(r.key, r.by)) };
}

const PREFIX_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Creates a key; the full secret is returned here once and never again. */
export async function createApiKey(ctx: UseCaseContext, input: { name: string; scopes: ApiKeyScope[]; expiresAt?: string | null }) {
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date())
    throw new AppError('VALIDATION_FAILED', 'expiresAt: must be in the future.', [{ path: 'expiresAt', message: 'must be in the future' }]);
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const prefix = `fc_${Array.from(bytes, (b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join('')}`;
  const secret = randomToken(32);
  const id = uuidv7();
  const [row] = await ctx.tx
    .insert(apiKeys)
    .values({
      tenantId: ctx.auth.tenantId,
      id,
      name: input.name,
      prefix,
      secretHash: sha256(secret),
      scopes: [...new Set(input.scopes)],
      createdBy: ctx.auth.userId,
      expiresAt,
    })
    .returning();
  await auditAction(ctx, {
    action: 'api_key.created',
    targetType: 'api_key',
    targetId: id,
    details: { name: input.name, prefix, scopes: input.scopes },
  });
  return { ...toApiKey(row!, ctx.auth.displayName), key: `${prefix}_${secret}` };
}

export async function revokeApiKey(ctx: UseCaseContext, id: string) {
  const [row] = await ctx.tx
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.tenantId, ctx.auth.tenantId), eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  if (!row) {
    const [existing] = await ctx.tx
      .select()
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, ctx.auth.tenantId), eq(apiKeys.id, id)));
    if (!existing) throw notFound('API key');
    return toApiKey(existing, null);
  }
  await auditAction(ctx, {
    action: 'api_key.revoked',
    targetType: 'api_key',
    targetId: id,
    details: { prefix: row.prefix },
  });
  return toApiKey(row, null);
}
