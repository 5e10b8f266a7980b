import { z } from 'zod';
import { DataScope, Permission, Role } from './permissions.js';
import { Locale, Password } from './users.js';

export const LoginRequest = z.object({
  tenant: z.string().trim().min(1).max(32),
  login: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(128),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** Who is signed in: returned by login and GET /api/auth/me. */
export const Me = z.object({
  user: z.object({
    id: z.string(),
    login: z.string(),
    displayName: z.string(),
    role: Role,
    orgUnitId: z.string(),
    orgUnitName: z.string(),
    locale: Locale,
  }),
  tenant: z.object({ id: z.string(), code: z.string(), name: z.string(), timeZone: z.string() }),
  permissions: z.array(Permission),
  scope: DataScope,
  /** Send back as the x-csrf-token header on every POST/PATCH/PUT/DELETE. */
  csrfToken: z.string(),
});
export type Me = z.infer<typeof Me>;

export const ChangePassword = z.object({ currentPassword: z.string().min(1).max(128), newPassword: Password });
export const UpdateMyProfile = z.object({ locale: Locale.optional(), displayName: z.string().trim().min(1).max(64).optional() });

export const ApiKeyScope = z.enum(['org.read', 'users.read', 'audit.read']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ApiKeyScope),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdByName: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

export const CreateApiKey = z.object({
  name: z.string().trim().min(1).max(64),
  scopes: z.array(ApiKeyScope).min(1),
  expiresAt: z.string().datetime({ offset: true }).nullable().optional(),
});
/** The only time the secret is shown. */
export const CreatedApiKey = ApiKey.extend({ key: z.string() });
