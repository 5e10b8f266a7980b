import { ActivityResult, LeadActivity, ListQuery, LogActivity, UpdateAppointment, pageOf } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { listActivities, logActivity, updateAppointment } from './log-activity.js';

const Id = z.object({ id: z.string().uuid() });
const work = { permission: 'leads.work', scope: 'role' } as const;
const read = { permission: 'leads.read', scope: 'role' } as const;

export function activityRoutes(app: App, s: Services) {
  app.post('/api/leads/:id/activities', {
    config: { access: work },
    schema: {
      tags: ['leads'],
      summary:
        'Log a call, message, visit, appointment, test drive or note; moves the stage forward, marks first contact and creates rule tasks',
      params: Id,
      body: LogActivity,
      response: { 201: ActivityResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => logActivity(ctx, req.params.id, req.body))),
  });
  app.get('/api/leads/:id/activities', {
    config: { access: read },
    schema: {
      tags: ['leads'],
      summary: "A lead's activities, newest first",
      params: Id,
      querystring: ListQuery.pick({ limit: true, cursor: true }),
      response: { 200: pageOf(LeadActivity), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listActivities(ctx, req.params.id, req.query)),
  });
  app.patch('/api/leads/:id/activities/:activityId', {
    config: { access: work },
    schema: {
      tags: ['leads'],
      summary: 'Mark a booked appointment done, cancelled or a no-show',
      params: z.object({ id: z.string().uuid(), activityId: z.string().uuid() }),
      body: UpdateAppointment,
      response: { 200: LeadActivity, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateAppointment(ctx, req.params.id, req.params.activityId, req.body)),
  });
}
