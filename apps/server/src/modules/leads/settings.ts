import { LeadSettings, type LeadSettingsView, type SaveLeadSettings } from '@forecourt/contracts';
import { eq, sql } from 'drizzle-orm';
import type { UseCaseContext } from '../../platform/context.js';
import type { Executor } from '../../platform/db.js';
import { conflict } from '../../platform/errors.js';
import { auditAction } from '../audit/record-audit.js';
import { leadSettings } from './schema.js';

export type { LeadSettings };

export const DEFAULT_LEAD_SETTINGS: LeadSettings = LeadSettings.parse({});

/** The tenant's pipeline settings; the defaults when none were saved (or the saved ones no longer parse). */
export async function loadLeadSettings(tx: Executor, tenantId: string): Promise<LeadSettings> {
  const [row] = await tx.select().from(leadSettings).where(eq(leadSettings.tenantId, tenantId));
  if (!row) return DEFAULT_LEAD_SETTINGS;
  const parsed = LeadSettings.safeParse(row.settings);
  return parsed.success ? parsed.data : DEFAULT_LEAD_SETTINGS;
}

/** First-contact minutes of a lead: the source's own (else the default), tightened by its priority's limit. */
export function slaMinutesFor(settings: LeadSettings, sourceId: string, priority: 'normal' | 'high'): number {
  const base = settings.sla.bySource[sourceId] ?? settings.sla.defaultMinutes;
  const cap = settings.sla.byPriority[priority];
  return cap === undefined ? base : Math.min(base, cap);
}

export async function getLeadSettingsView(ctx: UseCaseContext): Promise<LeadSettingsView> {
  const [row] = await ctx.tx.select().from(leadSettings).where(eq(leadSettings.tenantId, ctx.auth.tenantId));
  const parsed = row ? LeadSettings.safeParse(row.settings) : null;
  return {
    settings: parsed?.success ? parsed.data : DEFAULT_LEAD_SETTINGS,
    defaults: DEFAULT_LEAD_SETTINGS,
    version: row?.version ?? 0,
    updatedAt: row ? row.updatedAt.toISOString() : null,
  };
}

/** Saves the whole settings object if nobody saved since the editor loaded it; audited with the changed keys. */
export async function saveLeadSettings(ctx: UseCaseContext, input: SaveLeadSettings): Promise<LeadSettingsView> {
  const before = await getLeadSettingsView(ctx);
  if (before.version !== input.version)
    throw conflict('version: someone else changed the lead settings since you opened them; reload and apply your change again.', {
      path: 'version',
      current: before.version,
    });
  const next = input.settings;
  await ctx.tx.execute(sql`
    insert into lead_settings (tenant_id, settings, updated_at, version) values (${ctx.auth.tenantId}::uuid, ${JSON.stringify(next)}::jsonb, now(), 1)
    on conflict (tenant_id) do update set settings = excluded.settings, updated_at = now(), version = lead_settings.version + 1`);
  const changed = (Object.keys(next) as Array<keyof LeadSettings>).filter(
    (k) => JSON.stringify(next[k]) !== JSON.stringify(before.settings[k]),
  );
  await auditAction(ctx, {
    action: 'leads.settings_changed',
    targetType: 'lead_settings',
    details: {
      changed,
      before: Object.fromEntries(changed.map((k) => [k, before.settings[k]])),
      after: Object.fromEntries(changed.map((k) => [k, next[k]])),
    },
  });
  return getLeadSettingsView(ctx);
}
