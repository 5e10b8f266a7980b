import {
  Customer,
  CustomerFilters,
  CustomerListItem,
  CustomerQuery,
  RecordConsent,
  TimelineEntry,
  TimelineQuery,
  UpdateCustomer,
  pageOf,
} from '@forecourt/contracts';
import { z } from 'zod';
import { errors, type App } from '../../platform/http.js';
import { auditAction } from '../audit/record-audit.js';
import { unmerge } from '../identity/unmerge.js';
import type { IngestServices } from '../ingest/routes.js';
import { exportPerson, erasePerson } from './data-subject.js';
import { getCustomer, getProfileRow, getTimeline, listCustomers } from './queries.js';
import { recordConsent, revealCustomer, updateCustomer } from './update-customer.js';

const Id = z.object({ id: z.string().uuid() });
const read = { permission: 'customers.read', scope: 'role' } as const;
const write = { permission: 'customers.write', scope: 'role' } as const;

/** RFC 4180 field; a leading = + - @ is neutralised so a spreadsheet never runs it as a formula. */
function csvField(value: unknown): string {
  let text = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(';') : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function customerRoutes(app: App, s: IngestServices) {
  app.get('/api/customers', {
    config: { access: read },
    schema: {
      tags: ['customers'],
      summary: 'Customers in my scope; q searches name (also pinyin and initials), phone, last 4 digits, e-mail, WeChat id or VIN',
      querystring: CustomerQuery,
      response: { 200: pageOf(CustomerListItem), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listCustomers(ctx, req.query)),
  });
  app.get('/api/customers/export', {
    config: { access: { permission: 'customers.export', scope: 'role' } },
    schema: {
      tags: ['customers'],
      summary: 'CSV of the filtered list (up to 50,000 rows), masked; audited',
      querystring: CustomerFilters,
      response: { 200: z.string(), ...errors(400, 401, 403) },
    },
    handler: async (req, reply) => {
      const csv = await s.inTenant(req, async (ctx) => {
        const lines = ['id,name,phone,city,stage,tags,last_seen_at'];
        let cursor: string | undefined;
        let n = 0;
        do {
          const page = await listCustomers(ctx, { ...req.query, limit: 200, cursor });
          for (const c of page.items)
            lines.push([c.id, c.name, c.phoneMasked, c.city, c.lifecycleStage, c.tags, c.lastSeenAt].map(csvField).join(','));
          n += page.items.length;
          cursor = page.nextCursor ?? undefined;
        } while (cursor && n < 50_000);
        await auditAction(ctx, {
          action: 'customers.exported',
          targetType: 'customer',
          details: { rows: n, filters: Object.keys(req.query) },
        });
        return lines.join('\r\n') + '\r\n';
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="customers-${new Date().toISOString().slice(0, 10)}.csv"`)
        .send('\uFEFF' + csv);
    },
  });
  app.get('/api/customers/:id', {
    config: { access: read },
    schema: {
      tags: ['customers'],
      summary: 'Customer 360: identities (masked), traits with source and time, consent, merges',
      params: Id,
      response: { 200: Customer, ...errors(401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getCustomer(ctx, req.params.id)),
  });
  app.get('/api/customers/:id/timeline', {
    config: { access: read },
    schema: {
      tags: ['customers'],
      summary: 'Everything that happened to the person, newest first',
      params: Id,
      querystring: TimelineQuery,
      response: { 200: pageOf(TimelineEntry), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getTimeline(ctx, req.params.id, req.query)),
  });
  app.patch('/api/customers/:id', {
    config: { access: write },
    schema: {
      tags: ['customers'],
      summary: 'Tags, lifecycle stage, owning consultant',
      params: Id,
      body: UpdateCustomer,
      response: { 200: Customer, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => updateCustomer(ctx, req.params.id, req.body)),
  });
  app.post('/api/customers/:id/consents', {
    config: { access: write },
    schema: {
      tags: ['customers'],
      summary: 'Record a grant or withdrawal of consent',
      params: Id,
      body: RecordConsent,
      response: { 200: Customer, ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => recordConsent(ctx, req.params.id, req.body)),
  });
  app.post('/api/customers/:id/reveal', {
    config: { access: { permission: 'customers.reveal', scope: 'role' } },
    schema: {
      tags: ['customers'],
      summary: 'Full phone numbers, e-mails and ids; audited',
      params: Id,
      response: {
        200: z.object({ items: z.array(z.object({ type: z.string(), masked: z.string(), value: z.string() })) }),
        ...errors(401, 403, 404),
      },
    },
    handler: (req) => s.inTenant(req, (ctx) => revealCustomer(ctx, req.params.id)),
  });
  app.post('/api/customers/:id/merges/:mergeId/unmerge', {
    config: { access: { permission: 'customers.merge', scope: 'role' } },
    schema: {
      tags: ['customers'],
      summary: 'Split a merged profile back into its parts',
      params: z.object({ id: z.string().uuid(), mergeId: z.string().uuid() }),
      response: { 200: z.object({ survivorId: z.string(), restoredId: z.string() }), ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) =>
      s.inTenant(req, async (ctx) => {
        await getProfileRow(ctx, req.params.id); // out of scope: 404
        return unmerge(ctx, req.params.id, req.params.mergeId);
      }),
  });
  app.get('/api/customers/:id/personal-data', {
    config: { access: { permission: 'customers.erase', scope: 'role' } },
    schema: {
      tags: ['customers'],
      summary: 'Data-subject access: everything about the person as JSON; audited',
      params: Id,
      response: { 200: z.record(z.string(), z.unknown()), ...errors(401, 403, 404) },
    },
    handler: async (req, reply) => {
      const doc = await s.inTenant(req, (ctx) => exportPerson(ctx, req.params.id));
      return reply.header('content-disposition', `attachment; filename="personal-data-${req.params.id}.json"`).send(doc);
    },
  });
  app.post('/api/customers/:id/erase', {
    config: { access: { permission: 'customers.erase', scope: 'role' } },
    schema: {
      tags: ['customers'],
      summary: 'Data-subject erasure: delete the person completely; the audit entry keeps counts only',
      params: Id,
      body: z.object({ confirm: z.literal(true) }),
      response: { 200: z.object({ erased: z.record(z.string(), z.number()) }), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => erasePerson(ctx, req.params.id)),
  });
}
