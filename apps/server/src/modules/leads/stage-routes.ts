import { LeadState, MoveLeadStage, ReopenLead } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { moveLeadStage, reopenLeadByHand } from './move-lead.js';

const Id = z.object({ id: z.string().uuid() });
const work = { permission: 'leads.work', scope: 'role' } as const;

export function stageRoutes(app: App, s: Services) {
  app.post('/api/leads/:id/stage', {
    config: { access: work },
    schema: {
      tags: ['leads'],
      summary: 'Move a lead by hand (board): forward only with its facts on record, or dormant; 409 names the rule otherwise',
      params: Id,
      body: MoveLeadStage,
      response: { 200: LeadState, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => moveLeadStage(ctx, req.params.id, req.body)),
  });
  app.post('/api/leads/:id/reopen', {
    config: { access: work },
    schema: {
      tags: ['leads'],
      summary: 'Reopen a lost or dormant lead at the furthest open stage it reached (at least 已联系); audited',
      params: Id,
      body: ReopenLead,
      response: { 200: LeadState, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => reopenLeadByHand(ctx, req.params.id, req.body)),
  });
}
