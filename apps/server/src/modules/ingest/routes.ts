import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { CreateSource, DebuggerEntry, Source, SourceWithKey } from '@forecourt/contracts';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { errors, type App, type Services } from '../../platform/http.js';
import { acceptMessages, LIMITS } from './accept-messages.js';
import { latestMessages } from './debugger.js';
import type { Pipeline } from './pipeline.js';
import { MESSAGE_TYPES, type MessageType } from './segment.js';
import { createSource, getSource, listSources, revokeSource, rotateSourceKey } from './sources.js';
import type { WriteKeyCache, WriteKeyPrincipal } from './write-keys.js';

const Id = z.object({ id: z.string().uuid() });
const manage = { permission: 'sources.manage', scope: 'tenant' } as const;
const writeKey = { permission: 'write_key', scope: 'source' } as const;

const BatchAnswer = z.object({
  success: z.boolean(),
  accepted: z.number(),
  duplicates: z.number(),
  rejected: z.array(z.object({ index: z.number(), messageId: z.string().nullable(), reason: z.string(), message: z.string() })),
});

/** The browser tracking script, built by `npm run build` (packages/sdk). */
const SDK_JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../packages/sdk/dist/forecourt.js');

export type IngestServices = Services & { pipeline: Pipeline; writeKeys: WriteKeyCache };

export function sourceRoutes(app: App, s: IngestServices) {
  app.get('/api/sources', {
    config: { access: manage },
    schema: {
      tags: ['sources'],
      summary: 'Sources with their key prefixes and counters',
      response: { 200: z.object({ items: z.array(Source) }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listSources(ctx)),
  });
  app.get('/api/sources/:id', {
    config: { access: manage },
    schema: { tags: ['sources'], params: Id, response: { 200: Source, ...errors(401, 403, 404) } },
    handler: (req) => s.inTenant(req, (ctx) => getSource(ctx, req.params.id)),
  });
  app.post('/api/sources', {
    config: { access: manage },
    schema: {
      tags: ['sources'],
      summary: 'Create a source; its write key is shown once',
      body: CreateSource,
      response: { 201: SourceWithKey, ...errors(400, 401, 403, 404) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createSource(ctx, req.body))),
  });
  app.post('/api/sources/:id/rotate-key', {
    config: { access: manage },
    schema: {
      tags: ['sources'],
      summary: 'Issue a new write key; the old one keeps working for graceHours',
      params: Id,
      body: z.object({ graceHours: z.number().int().min(0).max(720).default(24) }),
      response: { 200: SourceWithKey, ...errors(400, 401, 403, 404) },
    },
    handler: async (req) => {
      const answer = await s.inTenant(req, (ctx) => rotateSourceKey(ctx, req.params.id, req.body.graceHours));
      s.writeKeys.forget();
      return answer;
    },
  });
  app.post('/api/sources/:id/revoke', {
    config: { access: manage },
    schema: {
      tags: ['sources'],
      summary: 'Revoke every key and stop the source',
      params: Id,
      body: z.object({ version: z.number().int() }),
      response: { 200: Source, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req) => {
      const answer = await s.inTenant(req, (ctx) => revokeSource(ctx, req.params.id, req.body.version));
      s.writeKeys.forget();
      return answer;
    },
  });
  app.get('/api/sources/:id/debugger', {
    config: { access: manage },
    schema: {
      tags: ['sources'],
      summary: 'The latest messages of the source, with rejection reasons',
      params: Id,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
      response: { 200: z.object({ items: z.array(DebuggerEntry) }), ...errors(401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => latestMessages(ctx, req.params.id, req.query.limit)),
  });
}

/** The Segment-compatible tracking API, in its own context: its own body parsers, gzip, and limits. */
export async function trackingRoutes(app: App, s: IngestServices) {
  await app.register(async (v1) => {
    v1.removeAllContentTypeParsers();
    // Real clients send application/json, text/plain (browsers, to avoid a CORS preflight) or nothing at all.
    v1.addContentTypeParser('*', { parseAs: 'string', bodyLimit: LIMITS.batchBytes }, (_req, body, done) => {
      try {
        done(null, JSON.parse(String(body)));
      } catch {
        done(Object.assign(new Error('body: not valid JSON'), { statusCode: 400 }), undefined);
      }
    });
    v1.addHook('preParsing', async (req, _reply, payload) => {
      const encoding = String(req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (encoding === 'identity') return payload;
      if (encoding !== 'gzip' && encoding !== 'deflate')
        throw new AppError('VALIDATION_FAILED', 'content-encoding: send gzip, deflate or no encoding.');
      const inflate = encoding === 'gzip' ? zlib.createGunzip() : zlib.createInflate();
      inflate.on('error', (err: Error & { statusCode?: number }) => {
        err.statusCode = 400;
        err.message = `content-encoding: the body is not valid ${encoding} data`;
      });
      const out = Object.assign(inflate, { receivedEncodedLength: 0 });
      payload.on('data', (chunk: Buffer) => (out.receivedEncodedLength += chunk.length));
      payload.pipe(inflate);
      return out;
    });
    v1.addHook('onSend', async (_req, reply) => {
      // Browsers post from the customer's own site.
      reply.header('access-control-allow-origin', '*');
    });

    const principalOf = async (req: { headers: Record<string, unknown>; body: unknown }): Promise<WriteKeyPrincipal> => {
      let key: string | null = null;
      const header = req.headers.authorization;
      if (typeof header === 'string' && header.startsWith('Basic ')) {
        key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? null;
      }
      const body = req.body as { writeKey?: unknown } | null;
      if (!key && body && typeof body === 'object' && typeof body.writeKey === 'string') key = body.writeKey;
      if (!key)
        throw new AppError('UNAUTHENTICATED', 'writeKey: send the source’s write key as the Basic auth user or as writeKey in the body.');
      const principal = await s.writeKeys.authenticate(key.trim());
      if (!principal) throw new AppError('UNAUTHENTICATED', 'writeKey: unknown, revoked or expired write key.');
      return principal;
    };

    v1.options('/v1/*', { config: { access: { permission: 'public', scope: 'none' } }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('access-control-allow-methods', 'POST, OPTIONS')
        .header('access-control-allow-headers', 'authorization, content-type, content-encoding')
        .header('access-control-max-age', '86400')
        .status(204)
        .send(),
    );

    v1.post('/v1/batch', {
      config: { access: writeKey },
      bodyLimit: LIMITS.batchBytes,
      schema: {
        tags: ['tracking'],
        summary: 'Segment-compatible batch: up to 2,500 messages and 500 KB; per-message rejection reasons',
        response: { 200: BatchAnswer, ...errors(400, 401, 413) },
      },
      handler: async (req) => {
        const principal = await principalOf(req);
        const body = req.body as { batch?: unknown; sentAt?: unknown } | null;
        if (!body || typeof body !== 'object' || !Array.isArray(body.batch))
          throw new AppError('VALIDATION_FAILED', 'batch: must be an array of messages.', [{ path: 'batch', message: 'required array' }]);
        if (body.batch.length > LIMITS.batchEvents)
          throw new AppError('PAYLOAD_TOO_LARGE', `batch: ${body.batch.length} messages; send at most ${LIMITS.batchEvents} per request.`);
        const result = await acceptMessages(s.database.db, s.keys, s.pipeline.counters, principal, body.batch, {
          batchSentAt: body.sentAt,
        });
        if (result.accepted > 0) s.pipeline.nudge();
        return { success: true, ...result };
      },
    });

    v1.get('/sdk/forecourt.js', {
      config: { access: { permission: 'public', scope: 'none' } },
      schema: { tags: ['tracking'], summary: 'The browser tracking script (see docs/sdk.md)', response: errors(404) },
      handler: async (_req, reply) => {
        let script: Buffer;
        try {
          script = await fs.promises.readFile(SDK_JS);
        } catch {
          throw new AppError('NOT_FOUND', 'sdk: the tracking script is not built; run `npm run build`.');
        }
        return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(script);
      },
    });

    for (const type of MESSAGE_TYPES) {
      v1.post(`/v1/${type}`, {
        config: { access: writeKey },
        bodyLimit: LIMITS.eventBytes * 2,
        schema: {
          tags: ['tracking'],
          summary: `Segment-compatible ${type}`,
          response: { 200: z.object({ success: z.boolean() }), ...errors(400, 401, 413) },
        },
        handler: async (req) => {
          const principal = await principalOf(req);
          const result = await acceptMessages(s.database.db, s.keys, s.pipeline.counters, principal, [req.body], {
            type: type as MessageType,
          });
          const rejection = result.rejected[0];
          if (rejection)
            throw new AppError('VALIDATION_FAILED', rejection.message, [{ path: rejection.reason, message: rejection.message }]);
          if (result.accepted > 0) s.pipeline.nudge();
          return { success: true };
        },
      });
    }
  });
}
