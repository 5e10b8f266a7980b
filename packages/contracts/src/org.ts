import { z } from 'zod';

/** hq: the OEM's own head office (总部), where tenant-wide staff sit. */
export const OrgUnitType = z.enum(['hq', 'region', 'dealer_group', 'store', 'team']);
export type OrgUnitType = z.infer<typeof OrgUnitType>;

/** Which parent types each unit type may sit under (null = tenant root). */
export const ALLOWED_PARENTS: Record<OrgUnitType, readonly (OrgUnitType | null)[]> = {
  hq: [null],
  region: [null],
  dealer_group: [null, 'region'],
  store: ['region', 'dealer_group'],
  team: ['store', 'hq'],
};

const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

/** Opening hours per weekday (1 = Monday … 7 = Sunday); a missing day is closed. */
export const BusinessHours = z.array(z.object({ day: z.number().int().min(1).max(7), open: HHMM, close: HHMM })).max(14);
export type BusinessHours = z.infer<typeof BusinessHours>;

export const OrgUnit = z.object({
  id: z.string(),
  parentId: z.string().nullable(),
  type: OrgUnitType,
  code: z.string(),
  nameZh: z.string(),
  nameEn: z.string(),
  province: z.string().nullable(),
  city: z.string().nullable(),
  address: z.string().nullable(),
  businessHours: BusinessHours,
  timeZone: z.string(),
  active: z.boolean(),
  version: z.number().int(),
});
export type OrgUnit = z.infer<typeof OrgUnit>;

const code = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{2,32}$/, 'letters, digits, _ or -, 2–32 characters');

export const CreateOrgUnit = z.object({
  parentId: z.string().uuid().nullable(),
  type: OrgUnitType,
  code,
  nameZh: z.string().trim().min(1).max(100),
  nameEn: z.string().trim().min(1).max(100),
  province: z.string().trim().max(50).nullable().optional(),
  city: z.string().trim().max(50).nullable().optional(),
  address: z.string().trim().max(200).nullable().optional(),
  businessHours: BusinessHours.optional(),
  timeZone: z.string().max(64).optional(),
});
export type CreateOrgUnit = z.infer<typeof CreateOrgUnit>;

export const UpdateOrgUnit = CreateOrgUnit.omit({ parentId: true, type: true }).partial().extend({
  version: z.number().int(),
});
export type UpdateOrgUnit = z.infer<typeof UpdateOrgUnit>;

export const MoveOrgUnit = z.object({ parentId: z.string().uuid().nullable(), version: z.number().int() });
