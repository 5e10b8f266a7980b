import {
  AssignLead,
  BulkReassign,
  BulkReassignResult,
  LeadDetail,
  LeadListItem,
  LeadQuery,
  LeadSourceOption,
  TeamLoadQuery,
  TeamLoadRow,
  pageOf,
} from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { assignLead, bulkReassignLeads, claimLead } from './assign-lead.js';
import { listLeadSources, teamLoad } from './lookups.js';
import { getLead, listLeads } from './queries.js';

const Id = z.object({ id: z.string().uuid() });
const Owned = z.object({ id: z.string(), ownerUserId: z.string(), version: z.number().int() });

/** Reading leads, claiming them from the pool and (re)assigning them. Lifecycle routes live in the *-routes.ts files beside this one. */
export function leadRoutes(app: App, s: Services) {
  app.get('/api/leads', {
    config: { access: { permission: 'leads.read', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'Leads in my scope; filters by stage, store, owner, source, SLA state, created range, customer name, unassigned',
      querystring: LeadQuery,
      response: { 200: pageOf(LeadListItem), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listLeads(ctx, req.query)),
  });
  app.get('/api/leads/team-load', {
    config: { access: { permission: 'leads.assign', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'Open, new and breached leads per consultant of a store (the manager’s team load); 404 for a store outside my scope',
      querystring: TeamLoadQuery,
      response: { 200: z.object({ items: z.array(TeamLoadRow) }), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => teamLoad(ctx, req.query.store)),
  });
  app.get('/api/lead-sources', {
    config: { access: { permission: 'leads.read', scope: 'tenant' } },
    schema: {
      tags: ['leads'],
      summary: 'The tenant’s active sources by name, for lead filters and forms (no keys or counters)',
      response: { 200: z.object({ items: z.array(LeadSourceOption) }), ...errors(401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listLeadSources(ctx)),
  });
  app.get('/api/leads/:id', {
    config: { access: { permission: 'leads.read', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'One lead: customer (masked), SLA, routing history, inquiries, stage changes; 404 outside my scope',
      params: Id,
      response: { 200: LeadDetail, ...errors(401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getLead(ctx, req.params.id)),
  });
  app.post('/api/leads/:id/claim', {
    config: { access: { permission: 'leads.claim', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'Take a lead from my store’s claim pool (抢单); the first claim wins, a later one gets 409',
      params: Id,
      response: { 200: Owned, ...errors(401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => claimLead(ctx, req.params.id)),
  });
  app.post('/api/leads/:id/assign', {
    config: { access: { permission: 'leads.assign', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'Give a lead to a consultant (send the lead version you loaded; a stale one gets 409); audited',
      params: Id,
      body: AssignLead,
      response: { 200: Owned, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => assignLead(ctx, req.params.id, req.body)),
  });
  app.post('/api/leads/reassign', {
    config: { access: { permission: 'leads.assign', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: 'Move many leads to one consultant; leads outside my scope or the consultant’s store are skipped; audited',
      body: BulkReassign,
      response: { 200: BulkReassignResult, ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => bulkReassignLeads(ctx, req.body)),
  });
}
