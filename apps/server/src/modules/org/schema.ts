import { sql } from 'drizzle-orm';
import { boolean, foreignKey, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { tenantPolicy } from '../../platform/tenant-policy.js';

export const tenants = pgTable(
  'tenants',
  {
    id: uuid('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('tenants_code_uq').on(t.code), tenantPolicy(t.id)],
);

export interface BusinessHoursRow {
  day: number;
  open: string;
  close: string;
}

export const orgUnits = pgTable(
  'org_units',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull(),
    parentId: uuid('parent_id'),
    /** Materialised path of ids, '/root/…/self/', so a subtree is one prefix scan. */
    path: text('path').notNull(),
    type: text('type').notNull(),
    code: text('code').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    province: text('province'),
    city: text('city'),
    address: text('address'),
    businessHours: jsonb('business_hours')
      .$type<BusinessHoursRow[]>()
      .notNull()
      .default(sql`'[]'::jsonb`),
    timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('org_units_code_uq').on(t.tenantId, t.code),
    index('org_units_path_idx').on(t.tenantId, t.path.op('text_pattern_ops')),
    foreignKey({ columns: [t.tenantId, t.parentId], foreignColumns: [t.tenantId, t.id], name: 'org_units_parent_fk' }),
    tenantPolicy(t.tenantId),
  ],
);

export const users = pgTable(
  'users',
  {
    tenantId: uuid('tenant_id')
      .notNull()
      .references(() => tenants.id),
    id: uuid('id').notNull(),
    login: text('login').notNull(),
    displayName: text('display_name').notNull(),
    /** AES-256-GCM ciphertext of the E.164 phone; never stored in plain text. */
    phoneEnc: text('phone_enc'),
    /** Keyed blind index of the normalised phone, for exact lookups. */
    phoneIndex: text('phone_index'),
    role: text('role').notNull(),
    orgUnitId: uuid('org_unit_id').notNull(),
    onDuty: boolean('on_duty').notNull().default(true),
    active: boolean('active').notNull().default(true),
    locale: text('locale').notNull().default('zh-CN'),
    passwordHash: text('password_hash').notNull(),
    passwordChangedAt: timestamp('password_changed_at', { withTimezone: true }).notNull().defaultNow(),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex('users_login_uq').on(t.tenantId, t.login),
    index('users_org_unit_idx').on(t.tenantId, t.orgUnitId),
    index('users_phone_idx').on(t.tenantId, t.phoneIndex),
    foreignKey({ columns: [t.tenantId, t.orgUnitId], foreignColumns: [orgUnits.tenantId, orgUnits.id], name: 'users_org_unit_fk' }),
    tenantPolicy(t.tenantId),
  ],
);
