import { ApiKey, ChangePassword, CreateApiKey, CreatedApiKey, LoginRequest, Me, UpdateMyProfile } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, requestMeta, type App, type Services } from '../../platform/http.js';
import { withTenant } from '../../platform/db.js';
import { recordAudit } from '../audit/record-audit.js';
import { tenants } from '../org/schema.js';
import { createApiKey, listApiKeys, revokeApiKey } from './api-keys.js';
import { login } from './login.js';
import { buildMe, changeMyPassword, updateMyProfile } from './me.js';
import { revokeSession, SESSION_COOKIE } from './sessions.js';

const Id = z.object({ id: z.string().uuid() });

export function authRoutes(app: App, s: Services) {
  const policy = { idleMinutes: s.config.SESSION_IDLE_MINUTES, absoluteHours: s.config.SESSION_ABSOLUTE_HOURS };
  const cookieOptions = (secure: boolean) => ({
    path: '/',
    httpOnly: true,
    sameSite: 'lax' as const,
    secure,
    maxAge: policy.absoluteHours * 3600,
  });

  app.get('/api/auth/config', {
    config: { access: { permission: 'public', scope: 'none' } },
    schema: { tags: ['auth'], summary: 'Login page settings', response: { 200: z.object({ defaultTenant: z.string().nullable() }) } },
    handler: async () => {
      const rows = await s.database.db.select({ code: tenants.code }).from(tenants).limit(2);
      return { defaultTenant: rows.length === 1 ? rows[0]!.code : null };
    },
  });

  app.post('/api/auth/login', {
    config: { access: { permission: 'public', scope: 'none' } },
    schema: { tags: ['auth'], summary: 'Sign in with a password', body: LoginRequest, response: { 200: Me, ...errors(400, 401, 423) } },
    handler: async (req, reply) => {
      const { token, me } = await login({ db: s.database.db, keys: s.keys, policy }, req.body, requestMeta(req));
      reply.setCookie(SESSION_COOKIE, token, cookieOptions(req.protocol === 'https'));
      return me;
    },
  });

  app.post('/api/auth/logout', {
    config: { access: { permission: 'authenticated', scope: 'self' } },
    schema: { tags: ['auth'], summary: 'Sign out this session', response: { 204: z.null(), ...errors(401, 403) } },
    handler: async (req, reply) => {
      await withTenant(s.database.db, req.auth!.tenantId, async (tx) => {
        await revokeSession(tx, req.auth!.sessionId!);
        await recordAudit(tx, {
          tenantId: req.auth!.tenantId,
          action: 'auth.logout',
          actorId: req.auth!.userId,
          actorName: req.auth!.displayName,
          meta: requestMeta(req),
        });
      });
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  });

  app.get('/api/auth/me', {
    config: { access: { permission: 'authenticated', scope: 'self' } },
    schema: { tags: ['auth'], summary: 'Who is signed in', response: { 200: Me, ...errors(401, 403) } },
    handler: (req) => s.inTenant(req, (ctx) => buildMe(ctx.tx, ctx.auth, s.authenticate.csrfToken(ctx.auth.sessionId!))),
  });

  app.patch('/api/me', {
    config: { access: { permission: 'authenticated', scope: 'self' } },
    schema: {
      tags: ['auth'],
      summary: 'Update my language or display name',
      body: UpdateMyProfile,
      response: { 200: Me, ...errors(400, 401, 403) },
    },
    handler: (req) =>
      s.inTenant(req, async (ctx) => {
        await updateMyProfile(ctx, req.body);
        return buildMe(ctx.tx, ctx.auth, s.authenticate.csrfToken(ctx.auth.sessionId!));
      }),
  });

  app.post('/api/me/password', {
    config: { access: { permission: 'authenticated', scope: 'self' } },
    schema: {
      tags: ['auth'],
      summary: 'Change my password (signs out my other sessions)',
      body: ChangePassword,
      response: { 204: z.null(), ...errors(400, 401, 403) },
    },
    handler: async (req, reply) => {
      await s.inTenant(req, (ctx) => changeMyPassword(ctx, req.body));
      return reply.status(204).send(null);
    },
  });

  app.get('/api/api-keys', {
    config: { access: { permission: 'api_keys.manage', scope: 'tenant' } },
    schema: {
      tags: ['api-keys'],
      summary: 'List API keys (never their secrets)',
      response: { 200: z.object({ items: z.array(ApiKey) }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listApiKeys(ctx)),
  });

  app.post('/api/api-keys', {
    config: { access: { permission: 'api_keys.manage', scope: 'tenant' } },
    schema: {
      tags: ['api-keys'],
      summary: 'Create an API key; the secret is in this response only',
      body: CreateApiKey,
      response: { 201: CreatedApiKey, ...errors(400, 401, 403) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createApiKey(ctx, req.body))),
  });

  app.post('/api/api-keys/:id/revoke', {
    config: { access: { permission: 'api_keys.manage', scope: 'tenant' } },
    schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: Id, response: { 200: ApiKey, ...errors(401, 403, 404) } },
    handler: (req) => s.inTenant(req, (ctx) => revokeApiKey(ctx, req.params.id)),
  });
}
