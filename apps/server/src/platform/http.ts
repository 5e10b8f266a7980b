import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { ErrorBody, type ErrorCode } from '@forecourt/contracts';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import client from 'prom-client';
import type { AuthContext, RequestMeta, RouteAccess } from './access.js';
import type { Config } from './config.js';
import type { Keys } from './crypto.js';
import { safeEqual } from './crypto.js';
import { withTenant, type Database } from './db.js';
import { AppError, HTTP_STATUS } from './errors.js';
import type { Logger } from './logger.js';
import type { UseCaseContext } from './context.js';
import { uuidv7 } from './ids.js';

export type App = FastifyInstance<
  import('node:http').Server,
  import('node:http').IncomingMessage,
  import('node:http').ServerResponse,
  Logger,
  ZodTypeProvider
>;

/** What route modules receive: the app and the services behind it. */
export interface Services {
  config: Config;
  database: Database;
  keys: Keys;
  logger: Logger;
  authenticate: Authenticator;
  /** Run a use case in a transaction bound to the caller's tenant. */
  inTenant<T>(req: FastifyRequest, fn: (ctx: UseCaseContext) => Promise<T>): Promise<T>;
  ready(): Promise<boolean>;
}

export interface Authenticator {
  session(token: string): Promise<AuthContext | null>;
  apiKey(key: string): Promise<AuthContext | null>;
  csrfToken(sessionId: string): string;
}

/** A route as the route-walk test sees it. */
export interface DeclaredRoute {
  method: string;
  url: string;
  access: RouteAccess;
}

/** Routes that plugins register (docs UI, static files) are public by nature; nothing else may be undeclared. */
const PLUGIN_PUBLIC = [/^\/api\/docs(\/|$)/, /^\/assets\//, /^\/\*$/, /^\/$/, /^\/[\w.-]+\.(html|ico|png|svg|txt|webmanifest)$/];

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function requestMeta(req: FastifyRequest): RequestMeta {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? null, userAgent: typeof ua === 'string' ? ua : null };
}

function errorBody(req: FastifyRequest, code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) }, requestId: String(req.id) };
}

/** Error schemas for a route's declared failure codes. */
export function errors<const S extends readonly number[]>(...statuses: S): { [K in S[number]]: typeof ErrorBody } {
  return Object.fromEntries(statuses.map((s) => [s, ErrorBody])) as { [K in S[number]]: typeof ErrorBody };
}

const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export async function createHttpApp(opts: {
  config: Config;
  logger: Logger;
  database: Database;
  keys: Keys;
  authenticate: Authenticator;
  registerRoutes: (app: App, services: Services) => Promise<void> | void;
  ready: () => Promise<boolean>;
}): Promise<{ app: App; routes: DeclaredRoute[] }> {
  const { config, logger, database, keys, authenticate } = opts;
  const app = Fastify({
    loggerInstance: logger,
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => uuidv7(),
  }).withTypeProvider<ZodTypeProvider>() as unknown as App;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('auth', null);

  const routes: DeclaredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let access = route.config?.access;
    if (!access && PLUGIN_PUBLIC.some((p) => p.test(route.url))) {
      access = { permission: 'public', scope: 'none' };
      route.config = { ...route.config, access };
    }
    if (!access)
      throw new Error(`Route ${methods.join(',')} ${route.url} declares no access (permission and scope); see platform/access.ts.`);
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url, access });
  });

  // One registry per app, so several apps in one process (tests, benchmarks) don't collide.
  const registry = new client.Registry();
  const httpDuration = new client.Histogram({
    name: 'forecourt_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  client.collectDefaultMetrics({ register: registry, prefix: 'forecourt_' });

  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Forecourt API',
        version: '0.1.0',
        description: 'Session cookie + x-csrf-token header for the console; `Authorization: Bearer fc_…` API keys for servers.',
      },
      components: {
        securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'fc_session' }, apiKey: { type: 'http', scheme: 'bearer' } },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', String(req.id));
    const access = req.routeOptions.config?.access;
    // Write-key routes authenticate in their handler: the key may sit in the body, parsed later.
    if (!access || access.permission === 'public' || access.permission === 'write_key') return;
    const bearer = req.headers.authorization;
    if (bearer?.startsWith('Bearer ')) {
      req.auth = await authenticate.apiKey(bearer.slice(7).trim());
      if (!req.auth) throw new AppError('UNAUTHENTICATED', 'The API key is unknown, revoked or expired.');
    } else {
      const token = req.cookies.fc_session;
      req.auth = token ? await authenticate.session(token) : null;
      if (!req.auth) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
      if (!SAFE_METHODS.has(req.method)) {
        const sent = req.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, authenticate.csrfToken(req.auth.sessionId!))) {
          throw new AppError('CSRF_FAILED', 'Missing or wrong x-csrf-token header; reload the page and try again.');
        }
      }
    }
    req.log = req.log.child({ tenantId: req.auth.tenantId, userId: req.auth.userId ?? req.auth.apiKeyId });
    if (access.permission === 'authenticated') {
      if (req.auth.via === 'api_key') throw new AppError('FORBIDDEN', 'This endpoint needs a signed-in user, not an API key.');
      return;
    }
    if (!req.auth.permissions.has(access.permission)) {
      throw new AppError('FORBIDDEN', `You need the permission ${access.permission} for this.`);
    }
  });

  // Responses finished during shutdown close their socket, so an idle keep-alive connection
  // doesn't hold the process open until its timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.addHook('onResponse', async (req, reply) => {
    httpDuration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => sendError(err, req, reply));

  app.setNotFoundHandler((req, reply) => {
    const url = req.url.split('?')[0] ?? '/';
    if (req.method === 'GET' && !url.startsWith('/api/') && !url.startsWith('/v1/') && fs.existsSync(path.join(WEB_DIST, 'index.html'))) {
      return reply.type('text/html').sendFile('index.html');
    }
    return reply.status(404).send(errorBody(req, 'NOT_FOUND', `No route ${req.method} ${url}.`));
  });

  const services: Services = {
    config,
    database,
    keys,
    logger,
    authenticate,
    ready: opts.ready,
    inTenant: (req, fn) => {
      const auth = req.auth;
      if (!auth) throw new AppError('UNAUTHENTICATED', 'Please sign in.');
      return withTenant(database.db, auth.tenantId, (tx) => fn({ tx, auth, keys, meta: requestMeta(req) }));
    },
  };

  app.get('/metrics', { config: { access: { permission: 'public', scope: 'none' } }, schema: { hide: true } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });

  await opts.registerRoutes(app, services);

  if (fs.existsSync(WEB_DIST)) {
    await app.register(fastifyStatic, { root: WEB_DIST, wildcard: false, index: 'index.html', maxAge: '1h' });
  }
  return { app, routes };
}

function sendError(err: FastifyError | AppError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) {
    if (err.status >= 500) req.log.error({ err }, 'request failed');
    return reply.status(err.status).send(errorBody(req, err.code, err.userMessage, err.details));
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const details = err.validation.map((v) => {
      const where = (err as FastifyError).validationContext ?? 'body';
      const field = [
        where,
        ...String(v.instancePath ?? '')
          .split('/')
          .filter(Boolean),
      ].join('.');
      return { path: field, message: v.message ?? 'invalid' };
    });
    const first = details[0];
    return reply
      .status(400)
      .send(errorBody(req, 'VALIDATION_FAILED', first ? `${first.path}: ${first.message}` : 'Invalid request.', details));
  }
  const fe = err as FastifyError & { code?: string };
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return reply.status(413).send(errorBody(req, 'PAYLOAD_TOO_LARGE', 'body: the request body is too large.'));
  if (fe.code === '23505') return reply.status(409).send(errorBody(req, 'CONFLICT', 'A record with the same unique value already exists.'));
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    // Fastify's own 4xx: malformed JSON, wrong content type, empty body…
    // A message that already names its field (a route's own parser: "content-encoding: …") is kept as it is.
    const named = /^[\w-]+: /.test(fe.message);
    const message =
      fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type: send application/json.' : named ? fe.message : `body: ${fe.message}`;
    return reply.status(fe.statusCode).send(errorBody(req, 'VALIDATION_FAILED', message));
  }
  req.log.error({ err }, 'unhandled error');
  return reply
    .status(HTTP_STATUS.INTERNAL)
    .send(errorBody(req, 'INTERNAL', `Something went wrong on our side. Quote request id ${String(req.id)} when reporting it.`));
}
