import { CreateSavedView, SavedView, SavedViewPage } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { createSavedView, deleteSavedView, listSavedViews } from './saved-views.js';

/** A user's own saved filters; the page's own permission is checked by the use case. */
const self = { permission: 'authenticated', scope: 'self' } as const;

export function savedViewRoutes(app: App, s: Services) {
  app.get('/api/saved-views', {
    config: { access: self },
    schema: {
      tags: ['views'],
      summary: 'My saved views of a list page',
      querystring: z.object({ page: SavedViewPage }),
      response: { 200: z.object({ items: z.array(SavedView) }), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, async (ctx) => ({ items: await listSavedViews(ctx, req.query.page) })),
  });
  app.post('/api/saved-views', {
    config: { access: self },
    schema: {
      tags: ['views'],
      summary: 'Save the current filters of a list page under a name',
      body: CreateSavedView,
      response: { 201: SavedView, ...errors(400, 401, 403, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createSavedView(ctx, req.body))),
  });
  app.delete('/api/saved-views/:id', {
    config: { access: self },
    schema: {
      tags: ['views'],
      summary: 'Delete one of my saved views',
      params: z.object({ id: z.string().uuid() }),
      response: { 204: z.null(), ...errors(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      await s.inTenant(req, (ctx) => deleteSavedView(ctx, req.params.id));
      return reply.status(204).send(null);
    },
  });
}
