import { CreateTask, Task, TaskQuery, pageOf } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { completeTask, createTask, listTasks } from './tasks.js';

export function taskRoutes(app: App, s: Services) {
  app.get('/api/tasks', {
    config: { access: { permission: 'leads.read', scope: 'role' } },
    schema: {
      tags: ['tasks'],
      summary: 'Tasks in my scope (consultants: my own), soonest due first; filter by owner, status, due today or overdue, lead',
      querystring: TaskQuery,
      response: { 200: pageOf(Task), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listTasks(ctx, req.query)),
  });
  app.post('/api/tasks', {
    config: { access: { permission: 'leads.work', scope: 'role' } },
    schema: {
      tags: ['tasks'],
      summary: 'A custom task on a lead (owner: the lead’s consultant unless named)',
      body: CreateTask,
      response: { 201: Task, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createTask(ctx, req.body))),
  });
  app.post('/api/tasks/:id/complete', {
    config: { access: { permission: 'leads.work', scope: 'role' } },
    schema: {
      tags: ['tasks'],
      summary: 'Mark an open task done',
      params: z.object({ id: z.string().uuid() }),
      response: { 200: Task, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => completeTask(ctx, req.params.id)),
  });
}
