import { AuditEntry, pageOf } from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App, type Services } from '../../platform/http.js';
import { exportAuditCsv } from './export-audit.js';
import { listAudit } from './list-audit.js';
import { auditAction } from './record-audit.js';

const Filter = z.object({
  actorId: z.string().uuid().optional(),
  action: z.string().max(64).optional(),
  from: z.string().datetime({ offset: true }).optional(),
  to: z.string().datetime({ offset: true }).optional(),
});

export function auditRoutes(app: App, s: Services) {
  app.get('/api/audit', {
    config: { access: { permission: 'audit.read', scope: 'tenant' } },
    schema: {
      tags: ['audit'],
      summary: 'Audit log of my tenant, newest first',
      querystring: Filter.extend({
        limit: z.coerce.number().int().min(1).max(200).default(50),
        cursor: z.string().max(200).optional(),
        order: z.enum(['asc', 'desc']).default('desc'),
      }),
      response: { 200: pageOf(AuditEntry), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listAudit(ctx.tx, req.query)),
  });

  app.get('/api/audit/export', {
    config: { access: { permission: 'audit.export', scope: 'tenant' } },
    schema: {
      tags: ['audit'],
      summary: 'CSV of the filtered audit log (itself audited)',
      querystring: Filter,
      response: { 200: z.string(), ...errors(400, 401, 403) },
    },
    handler: async (req, reply) => {
      const { csv, rows } = await s.inTenant(req, async (ctx) => {
        const result = await exportAuditCsv(ctx.tx, req.query);
        await auditAction(ctx, {
          action: 'audit.exported',
          details: { filter: req.query, rows: result.rows },
        });
        return result;
      });
      reply.header('content-disposition', `attachment; filename="audit-${new Date().toISOString().slice(0, 10)}.csv"`);
      reply.header('x-row-count', String(rows));
      return reply.type('text/csv; charset=utf-8').send(csv);
    },
  });
}
