import { z } from 'zod';
import { ConsentChannel, ConsentPurpose, type IdentityType } from './customers.js';

/** Identity columns, strongest first (the order of One ID). A VIN links a vehicle to its owner; it does not identify a person. */
export const IMPORT_IDENTITY_TYPES = [
  'phone',
  'wechat_unionid',
  'wecom_external_userid',
  'wechat_openid',
  'email',
  'national_id',
  'user_id',
  'vin',
] as const satisfies ReadonlyArray<IdentityType | 'vin'>;
export const ImportIdentityType = z.enum(IMPORT_IDENTITY_TYPES);
export type ImportIdentityType = z.infer<typeof ImportIdentityType>;

/** The identities that can stand for a person on their own: every one but the VIN. */
export const PERSON_IDENTITY_TYPES = IMPORT_IDENTITY_TYPES.filter((t) => t !== 'vin');

export const TRAIT_FIELDS = [
  'name',
  'gender',
  'birthday',
  'province',
  'city',
  'address',
  'vehicle_of_interest',
  'owned_vehicle',
  'budget',
] as const;
export const TraitField = z.enum(TRAIT_FIELDS);
export type TraitField = z.infer<typeof TraitField>;

/** `trait:<key>` stores a custom trait under `key` (lower snake_case, like the built-in traits). */
export const CustomTraitField = z.templateLiteral(['trait:', z.string().regex(/^[a-z][a-z0-9_]{0,63}$/)]);
/** `consent:<purpose>:<channel>`: 是/否, Y/N… become a grant or a withdrawal; an empty cell states nothing. */
export const ConsentField = z.templateLiteral(['consent:', ConsentPurpose, ':', ConsentChannel]);

/** What a column of an import file can be mapped to. */
export const ImportField = z.union([
  ImportIdentityType,
  TraitField,
  z.literal('tags'),
  z.literal('ignore'),
  CustomTraitField,
  ConsentField,
]);
export type ImportField = z.infer<typeof ImportField>;

export const MappingColumn = z.object({
  /** 0-based position of the column in the file. */
  index: z.number().int().min(0).max(16_383),
  field: ImportField,
  /** The official account or mini program an openid belongs to: openids differ per app. */
  appId: z.string().trim().min(1).max(64).optional(),
  /** For budget: what a bare number means. 25 in a 预算(万元) column is 250,000 yuan; "25万" or "250000元" say it themselves. */
  unit: z.enum(['yuan', 'wan']).optional(),
});
export type MappingColumn = z.infer<typeof MappingColumn>;

// A person can have two phones or two emails, and tags from several columns add up; everything else is said once.
const REPEATABLE = new Set<string>([...IMPORT_IDENTITY_TYPES, 'tags', 'ignore']);

/** Whether several columns may map to this field. */
export function isRepeatableField(field: string): boolean {
  return REPEATABLE.has(field);
}

/** The key a trait field is stored under (`trait:colour` → `colour`), or null for fields that are not traits. */
export function traitKey(field: string): string | null {
  if (field.startsWith('trait:')) return field.slice(6);
  return (TRAIT_FIELDS as readonly string[]).includes(field) ? field : null;
}

/** Which column of the file goes where; at least one column must identify a person. */
export const ImportMapping = z.object({ columns: z.array(MappingColumn).max(16_384) }).superRefine(({ columns }, ctx) => {
  const seenIndex = new Map<number, number>();
  const seenField = new Map<string, number>();
  columns.forEach((column, i) => {
    const path = ['columns', i];
    const label = `column ${column.index + 1}`;
    const earlier = seenIndex.get(column.index);
    if (earlier !== undefined) ctx.addIssue({ code: 'custom', path, message: `${label} is mapped twice; map each column once.` });
    seenIndex.set(column.index, i);
    if (column.field === 'wechat_openid' && !column.appId) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'appId'],
        message: `${label}: a WeChat openid column needs the app id of the official account or mini program it comes from.`,
      });
    }
    if (column.field !== 'wechat_openid' && column.appId !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...path, 'appId'], message: `${label}: only a WeChat openid column takes an app id.` });
    }
    if (column.field !== 'budget' && column.unit !== undefined) {
      ctx.addIssue({ code: 'custom', path: [...path, 'unit'], message: `${label}: only a budget column takes a unit.` });
    }
    if (column.field.startsWith('trait:') && (TRAIT_FIELDS as readonly string[]).includes(column.field.slice(6))) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'field'],
        message: `${label}: map it to ${column.field.slice(6)}, not ${column.field}.`,
      });
    }
    const key = traitKey(column.field) ?? column.field;
    const first = seenField.get(key);
    if (!REPEATABLE.has(column.field) && first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'field'],
        message: `${key} is mapped from column ${first + 1} and ${label}; map it from one column.`,
      });
    }
    if (first === undefined) seenField.set(key, column.index);
  });
  if (!columns.some((c) => (PERSON_IDENTITY_TYPES as readonly string[]).includes(c.field))) {
    ctx.addIssue({
      code: 'custom',
      path: ['columns'],
      message: `Map at least one column to ${PERSON_IDENTITY_TYPES.join(', ')}: without one, nobody can be recognised.`,
    });
  }
});
export type ImportMapping = z.infer<typeof ImportMapping>;

/**
 * uploaded → mapped → queued → running → done | failed | cancelled. A dry run ends `done` with `dryRun`;
 * it can then run for real. A failed import can be started again and resumes where it stopped.
 */
export const ImportStatus = z.enum(['uploaded', 'mapped', 'queued', 'running', 'done', 'failed', 'cancelled']);
export type ImportStatus = z.infer<typeof ImportStatus>;

/** What an import did (or, for a dry run, would do) to profiles. */
export const ImportOutcome = z.object({
  /** Profiles created (dry run: rows that match no existing profile nor an earlier row of the same batch). */
  newProfiles: z.number(),
  /** Rows that joined a profile that already existed (a tracked visitor, an earlier import). */
  matchedRows: z.number(),
  /** Profiles merged because a row linked two of them. */
  merges: z.number(),
});
export type ImportOutcome = z.infer<typeof ImportOutcome>;

export const ImportView = z.object({
  id: z.string(),
  sourceId: z.string(),
  fileName: z.string(),
  format: z.enum(['csv', 'xlsx']),
  fileBytes: z.number().nullable(),
  headers: z.array(z.string()),
  mapping: ImportMapping.nullable(),
  dryRun: z.boolean(),
  status: ImportStatus,
  /** Data rows in the file: an estimate (line count) while running, exact when done; null when not known yet. */
  totalRows: z.number().nullable(),
  processedRows: z.number(),
  okRows: z.number(),
  errorRows: z.number(),
  duplicateRows: z.number(),
  /** 0–100; 100 only when done. */
  percent: z.number(),
  rowsPerSecond: z.number().nullable(),
  outcome: ImportOutcome,
  failure: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdByName: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  version: z.number(),
});
export type ImportView = z.infer<typeof ImportView>;

/** A problem in one cell; `value` is masked when it is personal (138****8000). */
export const ImportCellError = z.object({ column: z.number(), field: z.string(), value: z.string(), message: z.string() });
export type ImportCellError = z.infer<typeof ImportCellError>;

/** A rejected row of the file, by its line number (the header is line 1). */
export const ImportRowError = z.object({ line: z.number(), errors: z.array(ImportCellError) });
export type ImportRowError = z.infer<typeof ImportRowError>;

/** One row of the preview: its cells as mapped (masked), and what is wrong with it. */
export const PreviewRow = z.object({
  line: z.number(),
  status: z.enum(['ok', 'error', 'skip']),
  cells: z.array(z.string()),
  errors: z.array(ImportCellError),
});
export type PreviewRow = z.infer<typeof PreviewRow>;

export const ImportPreview = z.object({
  import: ImportView,
  headers: z.array(z.string()),
  /** The mapping in force: the one saved, or the suggestion from the headers. */
  mapping: ImportMapping,
  suggested: z.boolean(),
  /** Why the mapping cannot run yet (no identity column, a column mapped twice…); null when it can. */
  mappingProblem: z.string().nullable(),
  /** Up to 3 sample values per column, masked. */
  samples: z.array(z.array(z.string())),
  /** The first 20 data rows mapped with `mapping`. */
  rows: z.array(PreviewRow),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const SaveImportMapping = z.object({ mapping: ImportMapping, version: z.number().int() });
export type SaveImportMapping = z.infer<typeof SaveImportMapping>;

export const StartImport = z.object({ dryRun: z.boolean(), version: z.number().int() });
export type StartImport = z.infer<typeof StartImport>;

export const ImportListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type ImportListQuery = z.infer<typeof ImportListQuery>;
