import { z } from 'zod';
import { IdentityType, SourceKind } from './customers.js';

export const TraitRule = z.enum(['most_recent', 'first_seen', 'source_priority', 'non_empty']);
export type TraitRule = z.infer<typeof TraitRule>;

/** Per-tenant rules of One ID. Stored in cdp_settings; anything missing takes the default. */
export const CdpSettings = z.object({
  identityTypes: z
    .record(
      IdentityType,
      z.object({
        /** Lower is stronger; decides which profile an event joins when a merge is refused. */
        priority: z.number().int().min(1).max(99),
        /** How many values of this type one profile may hold; null: any number (two phones are normal). */
        maxPerProfile: z.number().int().positive().max(100).nullable(),
      }),
    )
    .default({
      phone: { priority: 1, maxPerProfile: null },
      wechat_unionid: { priority: 2, maxPerProfile: 1 },
      wecom_external_userid: { priority: 3, maxPerProfile: 1 },
      wechat_openid: { priority: 4, maxPerProfile: null },
      email: { priority: 5, maxPerProfile: null },
      national_id: { priority: 6, maxPerProfile: 1 },
      user_id: { priority: 7, maxPerProfile: 1 },
      anonymous_id: { priority: 9, maxPerProfile: null },
    }),
  /** An identity that would join more profiles than this goes to review instead. */
  maxProfilesPerMerge: z.number().int().min(2).max(50).default(3),
  /** After this many refused links, a value (a front-desk phone) stops linking anyone. */
  sharedAfterConflicts: z.number().int().min(1).max(1000).default(3),
  /** Survivorship per trait; unlisted traits: most_recent, never overwritten by an empty value. */
  traitRules: z
    .record(z.string().trim().min(1).max(64), TraitRule)
    .default({ first_source: 'first_seen', first_seen_channel: 'first_seen' }),
  /** For source_priority traits: the kinds whose values win, strongest first. */
  sourcePriority: z
    .array(SourceKind)
    .default(['dms', 'call_center', 'wecom', 'import', 'app', 'mini_program', 'lead_platform', 'website', 'other']),
  /** linked: a store sees the profiles of its own work; tenant: every store sees every profile of the tenant. */
  profileVisibility: z.enum(['linked', 'tenant']).default('linked'),
});
export type CdpSettings = z.infer<typeof CdpSettings>;

/** The settings as the console edits them: the current values, their version and the defaults. */
export const CdpSettingsView = z.object({
  settings: CdpSettings,
  defaults: CdpSettings,
  version: z.number().int(),
  updatedAt: z.string().nullable(),
});
export type CdpSettingsView = z.infer<typeof CdpSettingsView>;

export const SaveCdpSettings = z.object({
  /** The version the editor started from; a newer one on the server answers 409. */
  version: z.number().int().min(0),
  settings: CdpSettings,
});
export type SaveCdpSettings = z.infer<typeof SaveCdpSettings>;
