import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';

const pub = { permission: 'public', scope: 'none' } as const;

export function healthRoutes(app: App, s: Services) {
  app.get('/healthz', {
    config: { access: pub },
    schema: { tags: ['ops'], summary: 'The process is up', response: { 200: z.object({ status: z.literal('ok') }) } },
    handler: async () => ({ status: 'ok' as const }),
  });
  app.get('/readyz', {
    config: { access: pub },
    schema: {
      tags: ['ops'],
      summary: 'Database reachable and migrations applied',
      response: { 200: z.object({ status: z.literal('ready'), database: z.string() }), ...errors(503) },
    },
    handler: async (_req, reply) => {
      if (!(await s.ready()))
        return reply.status(503).send({ error: { code: 'INTERNAL' as const, message: 'Not ready yet: database or jobs still starting.' } });
      return { status: 'ready' as const, database: s.database.kind };
    },
  });
}
