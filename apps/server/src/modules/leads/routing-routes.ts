import {
  CreateRoutingRule,
  LeadSettingsView,
  ReorderRoutingRules,
  RoutingPreview,
  RoutingPreviewInput,
  RoutingRule,
  SaveLeadSettings,
  UpdateRoutingRule,
} from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import {
  createRoutingRule,
  deleteRoutingRule,
  listRoutingRules,
  previewRoute,
  reorderRoutingRules,
  updateRoutingRule,
} from './routing-rules.js';
import { getLeadSettingsView, saveLeadSettings } from './settings.js';

const Id = z.object({ id: z.string().uuid() });
const configure = { permission: 'leads.configure', scope: 'tenant' } as const;

/** Routing rules and the pipeline settings (duplicates, SLA, dormancy): the tenant's lead configuration. */
export function leadConfigRoutes(app: App, s: Services) {
  app.get('/api/routing-rules', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Routing rules in order; the first active match wins',
      response: { 200: z.object({ items: z.array(RoutingRule) }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listRoutingRules(ctx)),
  });
  app.post('/api/routing-rules', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Add a rule at the end; audited',
      body: CreateRoutingRule,
      response: { 201: RoutingRule, ...errors(400, 401, 403) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createRoutingRule(ctx, req.body))),
  });
  app.put('/api/routing-rules/:id', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Replace a rule (send the version you loaded; a stale one gets 409); audited',
      params: Id,
      body: UpdateRoutingRule,
      response: { 200: RoutingRule, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateRoutingRule(ctx, req.params.id, req.body)),
  });
  app.delete('/api/routing-rules/:id', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Delete a rule; leads it routed keep its id in their history; audited',
      params: Id,
      response: { 204: z.null(), ...errors(400, 401, 403, 404) },
    },
    handler: async (req, reply) => {
      await s.inTenant(req, (ctx) => deleteRoutingRule(ctx, req.params.id));
      return reply.status(204).send(null);
    },
  });
  app.post('/api/routing-rules/reorder', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Put the rules in a new order (every rule id once, first first); audited',
      body: ReorderRoutingRules,
      response: { 200: z.object({ items: z.array(RoutingRule) }), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => reorderRoutingRules(ctx, req.body.ids)),
  });
  app.post('/api/routing-rules/preview', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Try a lead: the rule, store and consultant it would get now; writes nothing',
      body: RoutingPreviewInput,
      response: { 200: RoutingPreview, ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => previewRoute(ctx, s.database.kind, req.body)),
  });
  app.get('/api/lead-settings', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Duplicate window and cross-store policy, first-contact SLA, reminders, dormancy, campaign spend; with the defaults',
      response: { 200: LeadSettingsView, ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getLeadSettingsView(ctx)),
  });
  app.put('/api/lead-settings', {
    config: { access: configure },
    schema: {
      tags: ['leads'],
      summary: 'Replace the lead settings (send the version you loaded; a stale one gets 409); audited',
      body: SaveLeadSettings,
      response: { 200: LeadSettingsView, ...errors(400, 401, 403, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => saveLeadSettings(ctx, req.body)),
  });
}
