import {
  CreateOrgUnit,
  CreateUser,
  MoveOrgUnit,
  OrgUnit,
  PERMISSION_LABELS,
  Permission,
  ROLE_MATRIX,
  ResetPassword,
  Role,
  UpdateOrgUnit,
  UpdateUser,
  User,
  pageOf,
} from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { createOrgUnit, listOrgUnits, moveOrgUnit, setOrgUnitActive, updateOrgUnit } from './org-units.js';
import { getUnitInScope, toOrgUnit } from './queries.js';
import { createUser, getUser, listUsers, resetUserPassword, updateUser } from './users.js';

const Id = z.object({ id: z.string().uuid() });
const Version = z.object({ version: z.number().int() });
const bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const read = { permission: 'org.read', scope: 'role' } as const;
const write = { permission: 'org.write', scope: 'role' } as const;

export function orgRoutes(app: App, s: Services) {
  app.get('/api/org/units', {
    config: { access: read },
    schema: {
      tags: ['org'],
      summary: 'Organisation units in my scope, flat, parents first',
      querystring: z.object({ includeInactive: bool.optional() }),
      response: { 200: z.object({ items: z.array(OrgUnit) }), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listOrgUnits(ctx, { includeInactive: req.query.includeInactive ?? false })),
  });
  app.get('/api/org/units/:id', {
    config: { access: read },
    schema: { tags: ['org'], params: Id, response: { 200: OrgUnit, ...errors(401, 403, 404) } },
    handler: (req) => s.inTenant(req, async (ctx) => toOrgUnit(await getUnitInScope(ctx.tx, ctx.auth, req.params.id))),
  });
  app.post('/api/org/units', {
    config: { access: write },
    schema: {
      tags: ['org'],
      summary: 'Create a region, dealer group, store or team',
      body: CreateOrgUnit,
      response: { 201: OrgUnit, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createOrgUnit(ctx, req.body))),
  });
  app.patch('/api/org/units/:id', {
    config: { access: write },
    schema: { tags: ['org'], params: Id, body: UpdateOrgUnit, response: { 200: OrgUnit, ...errors(400, 401, 403, 404, 409) } },
    handler: (req) => s.inTenant(req, (ctx) => updateOrgUnit(ctx, req.params.id, req.body)),
  });
  app.post('/api/org/units/:id/move', {
    config: { access: write },
    schema: { tags: ['org'], params: Id, body: MoveOrgUnit, response: { 200: OrgUnit, ...errors(400, 401, 403, 404, 409) } },
    handler: (req) => s.inTenant(req, (ctx) => moveOrgUnit(ctx, req.params.id, req.body)),
  });
  app.post('/api/org/units/:id/deactivate', {
    config: { access: write },
    schema: {
      tags: ['org'],
      summary: 'Deactivate (units are never deleted)',
      params: Id,
      body: Version,
      response: { 200: OrgUnit, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => setOrgUnitActive(ctx, req.params.id, { version: req.body.version, active: false })),
  });
  app.post('/api/org/units/:id/reactivate', {
    config: { access: write },
    schema: { tags: ['org'], params: Id, body: Version, response: { 200: OrgUnit, ...errors(400, 401, 403, 404, 409) } },
    handler: (req) => s.inTenant(req, (ctx) => setOrgUnitActive(ctx, req.params.id, { version: req.body.version, active: true })),
  });

  const usersRead = { permission: 'users.read', scope: 'role' } as const;
  const usersWrite = { permission: 'users.write', scope: 'role' } as const;
  app.get('/api/users', {
    config: { access: usersRead },
    schema: {
      tags: ['users'],
      summary: 'Users in my scope, by login',
      querystring: z.object({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
        q: z.string().trim().max(64).optional(),
        role: Role.optional(),
        orgUnitId: z.string().uuid().optional(),
        active: bool.optional(),
      }),
      response: { 200: pageOf(User), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listUsers(ctx, req.query)),
  });
  app.get('/api/users/:id', {
    config: { access: usersRead },
    schema: { tags: ['users'], params: Id, response: { 200: User, ...errors(401, 403, 404) } },
    handler: (req) => s.inTenant(req, (ctx) => getUser(ctx, req.params.id)),
  });
  app.post('/api/users', {
    config: { access: usersWrite },
    schema: { tags: ['users'], body: CreateUser, response: { 201: User, ...errors(400, 401, 403, 404, 409) } },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createUser(ctx, req.body))),
  });
  app.patch('/api/users/:id', {
    config: { access: usersWrite },
    schema: {
      tags: ['users'],
      summary: 'Edit, move, change role, deactivate or reactivate',
      params: Id,
      body: UpdateUser,
      response: { 200: User, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateUser(ctx, req.params.id, req.body)),
  });
  app.post('/api/users/:id/reset-password', {
    config: { access: { permission: 'users.reset_password', scope: 'role' } },
    schema: {
      tags: ['users'],
      summary: 'Set a new password; signs the user out everywhere',
      params: Id,
      body: ResetPassword,
      response: { 204: z.null(), ...errors(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      await s.inTenant(req, (ctx) => resetUserPassword(ctx, req.params.id, req.body.password));
      return reply.status(204).send(null);
    },
  });

  app.get('/api/roles', {
    config: { access: { permission: 'roles.read', scope: 'tenant' } },
    schema: {
      tags: ['users'],
      summary: 'The permission matrix',
      response: {
        200: z.object({
          roles: z.array(z.object({ role: Role, scope: z.string(), permissions: z.array(Permission) })),
          permissions: z.array(z.object({ key: Permission, zh: z.string(), en: z.string() })),
        }),
        ...errors(401, 403),
      },
    },
    handler: async () => ({
      roles: Role.options.map((role) => ({ role, scope: ROLE_MATRIX[role].scope, permissions: [...ROLE_MATRIX[role].permissions] })),
      permissions: Permission.options.map((key) => ({ key, ...PERMISSION_LABELS[key] })),
    }),
  });
}
