import {
  CloseLead,
  CreateLostRequest,
  DecideLostRequest,
  LeadState,
  LostDecisionResult,
  LostRequest,
  LostRequestQuery,
  pageOf,
} from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { closeLeadAsLost, decideLostRequest, listLostRequests, requestLost } from './lost-requests.js';

const Id = z.object({ id: z.string().uuid() });
const approve = { permission: 'leads.approve_lost', scope: 'role' } as const;

export function lostRequestRoutes(app: App, s: Services) {
  app.post('/api/leads/:id/lost-requests', {
    config: { access: { permission: 'leads.work', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary: '战败申请: ask a manager to close the lead as lost, with a reason code (one pending request per lead)',
      params: Id,
      body: CreateLostRequest,
      response: { 201: LostRequest, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => requestLost(ctx, req.params.id, req.body))),
  });
  app.get('/api/lost-requests', {
    config: { access: approve },
    schema: {
      tags: ['leads'],
      summary: 'Lost requests of the leads in my subtree, oldest first',
      querystring: LostRequestQuery,
      response: { 200: pageOf(LostRequest), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listLostRequests(ctx, req.query)),
  });
  for (const [action, decision] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    app.post(`/api/lost-requests/:id/${action}`, {
      config: { access: approve },
      schema: {
        tags: ['leads'],
        summary:
          decision === 'approved'
            ? 'Approve a pending lost request: the lead becomes 战败 with its reason; audited'
            : 'Reject a pending lost request: the lead keeps its stage; audited',
        params: Id,
        body: DecideLostRequest,
        response: { 200: LostDecisionResult, ...errors(400, 401, 403, 404, 409) },
      },
      handler: (req) => s.inTenant(req, (ctx) => decideLostRequest(ctx, req.params.id, decision, req.body)),
    });
  }
  app.post('/api/leads/:id/close', {
    config: { access: approve },
    schema: {
      tags: ['leads'],
      summary: 'A manager closes a lead as 战败 directly, with a reason code; audited',
      params: Id,
      body: CloseLead,
      response: { 200: LeadState, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => closeLeadAsLost(ctx, req.params.id, req.body)),
  });
}
