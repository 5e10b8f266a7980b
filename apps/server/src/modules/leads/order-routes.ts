import { CloseOrder, CreateLeadOrder, DeliverOrder, Order, OrderResult } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { cancelOrder, createLeadOrder, deliverOrder, listLeadOrders, refundDeposit } from './orders.js';

const Id = z.object({ id: z.string().uuid() });
const work = { permission: 'leads.work', scope: 'role' } as const;

export function orderRoutes(app: App, s: Services) {
  app.post('/api/leads/:id/orders', {
    config: { access: work },
    schema: {
      tags: ['orders'],
      summary: 'Record 小定 (kind deposit: amount in yuan) or 大定 (kind order: model and trim); moves the lead to that stage',
      params: Id,
      body: CreateLeadOrder,
      response: { 201: OrderResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => reply.status(201).send(await s.inTenant(req, (ctx) => createLeadOrder(ctx, req.params.id, req.body))),
  });
  app.get('/api/leads/:id/orders', {
    config: { access: { permission: 'leads.read', scope: 'role' } },
    schema: {
      tags: ['orders'],
      summary: "A lead's deposits and orders, newest first",
      params: Id,
      response: { 200: z.object({ items: z.array(Order) }), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listLeadOrders(ctx, req.params.id)),
  });
  app.post('/api/orders/:id/refund', {
    config: { access: work },
    schema: {
      tags: ['orders'],
      summary: 'Refund a 小定 (deposit) until its refundable-until date; audited',
      params: Id,
      body: CloseOrder,
      response: { 200: OrderResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => refundDeposit(ctx, req.params.id, req.body)),
  });
  app.post('/api/orders/:id/cancel', {
    config: { access: work },
    schema: {
      tags: ['orders'],
      summary: 'Cancel a 大定 (order) before delivery; audited',
      params: Id,
      body: CloseOrder,
      response: { 200: OrderResult, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => cancelOrder(ctx, req.params.id, req.body)),
  });
  app.post('/api/orders/:id/deliver', {
    config: { access: work },
    schema: {
      tags: ['orders'],
      summary: 'Deliver a 大定 with a VIN that passes the check digit (422 otherwise): the lead is 已交车, the customer an owner',
      params: Id,
      body: DeliverOrder,
      response: { 200: OrderResult, ...errors(400, 401, 403, 404, 409, 422) },
    },
    handler: (req) => s.inTenant(req, (ctx) => deliverOrder(ctx, req.params.id, req.body)),
  });
}
