import { CdpSettings, type CdpSettingsView, type SaveCdpSettings } from '@forecourt/contracts';
import { eq, sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import type { Executor } from '../../platform/db.js';
import { conflict, invalid } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { cdpSettings } from '../customers/schema.js';

export type { CdpSettings };

export const DEFAULT_SETTINGS: CdpSettings = CdpSettings.parse({});

export async function loadSettings(tx: Executor, tenantId: string): Promise<CdpSettings> {
  const [row] = await tx.select().from(cdpSettings).where(eq(cdpSettings.tenantId, tenantId));
  if (!row) return DEFAULT_SETTINGS;
  const parsed = CdpSettings.safeParse(row.settings);
  return parsed.success ? parsed.data : DEFAULT_SETTINGS;
}

/** The tenant's settings for the editor; version 0 means the defaults were never changed. */
export async function getSettingsView(ctx: UseCaseContext): Promise<CdpSettingsView> {
  const [row] = await ctx.tx.select().from(cdpSettings).where(eq(cdpSettings.tenantId, ctx.auth.tenantId));
  const parsed = row ? CdpSettings.safeParse(row.settings) : null;
  return {
    settings: parsed?.success ? parsed.data : DEFAULT_SETTINGS,
    defaults: DEFAULT_SETTINGS,
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}

/**
 * Saves the whole rule set, if nobody saved since the editor loaded it. The pipeline reads the rules
 * once per batch, so new rules apply to the next batch; existing merges are not redone.
 */
export async function saveSettings(ctx: UseCaseContext, input: SaveCdpSettings): Promise<CdpSettingsView> {
  const before = await getSettingsView(ctx);
  if (before.version !== input.version)
    throw conflict('version: someone else changed these rules since you opened them; reload and apply your change again.');
  const next = input.settings;
  if (new Set(next.sourcePriority).size !== next.sourcePriority.length)
    throw invalid('settings.sourcePriority', 'lists a source kind twice.');
  const t = ctx.auth.tenantId;
  await ctx.tx.execute(sql`
    insert into cdp_settings (tenant_id, settings, updated_at, version) values (${t}::uuid, ${JSON.stringify(next)}::jsonb, now(), 1)
    on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now(), version = cdp_settings.version + 1`);
  const changed = (Object.keys(next) as Array<keyof CdpSettings>).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(before.settings[k]),
  );
  await auditAction(ctx, {
    action: 'customers.settings_changed',
    targetType: 'cdp_settings',
    details: { changed, before: pick(before.settings, changed), after: pick(next, changed) },
  });
  return getSettingsView(ctx);
}

function pick(settings: CdpSettings, keys: Array<keyof CdpSettings>): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, settings[k]]));
}
