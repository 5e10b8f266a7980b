import { z } from 'zod';
import { Role } from './permissions.js';

export const Locale = z.enum(['zh-CN', 'en']);
export type Locale = z.infer<typeof Locale>;

export const User = z.object({
  id: z.string(),
  login: z.string(),
  displayName: z.string(),
  /** Masked, e.g. 138****8000; never the full number. */
  phoneMasked: z.string().nullable(),
  role: Role,
  orgUnitId: z.string(),
  orgUnitName: z.string(),
  onDuty: z.boolean(),
  active: z.boolean(),
  locale: Locale,
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
  version: z.number().int(),
});
export type User = z.infer<typeof User>;

export const Login = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9._-]{3,64}$/, 'letters, digits, . _ or -, 3–64 characters');

/** 10+ characters with letters and digits; checked again on the server. */
export const Password = z
  .string()
  .min(10, 'at least 10 characters')
  .max(128)
  .refine((p) => /[A-Za-z]/.test(p) && /\d/.test(p), 'must contain letters and digits');

export const CreateUser = z.object({
  login: Login,
  displayName: z.string().trim().min(1).max(64),
  phone: z.string().trim().max(32).nullable().optional(),
  role: Role,
  orgUnitId: z.string().uuid(),
  password: Password,
  onDuty: z.boolean().optional(),
});
export type CreateUser = z.infer<typeof CreateUser>;

export const UpdateUser = z.object({
  displayName: z.string().trim().min(1).max(64).optional(),
  phone: z.string().trim().max(32).nullable().optional(),
  role: Role.optional(),
  orgUnitId: z.string().uuid().optional(),
  onDuty: z.boolean().optional(),
  active: z.boolean().optional(),
  version: z.number().int(),
});
export type UpdateUser = z.infer<typeof UpdateUser>;

export const ResetPassword = z.object({ password: Password });
