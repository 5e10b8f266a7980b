import { LeadFieldMapping, LeadMappingPreview, LeadMappingPreviewRequest, SourceLeadMapping } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { notFound } from '../../platform/errors.js';
import { errors, type App, type Services } from '../../platform/http.js';
import { auditAction } from '../audit/record-audit.js';
import { mapJsonLeads } from './parse/map-json.js';

const manage = { permission: 'sources.manage', scope: 'tenant' } as const;
const Id = z.object({ id: z.string().uuid() });

async function readMapping(ctx: UseCaseContext, sourceId: string): Promise<SourceLeadMapping> {
  const [row] = await rowsOf<{ mapping: unknown }>(
    ctx.tx,
    sql`select settings->'leadMapping' as mapping from sources where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${sourceId}::uuid`,
  );
  if (!row) throw notFound('Source');
  const parsed = LeadFieldMapping.safeParse(row.mapping);
  return { mapping: parsed.success ? parsed.data : null };
}

/** Saves (or with null, removes) the field mapping that POST /v1/leads applies to this source's JSON. Audited. */
async function saveMapping(ctx: UseCaseContext, sourceId: string, mapping: LeadFieldMapping | null): Promise<SourceLeadMapping> {
  const before = await readMapping(ctx, sourceId);
  await ctx.tx.execute(sql`
    update sources set settings = case when ${mapping === null} then settings - 'leadMapping'
                                       else jsonb_set(settings, '{leadMapping}', ${JSON.stringify(mapping)}::jsonb) end,
                       version = version + 1
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${sourceId}::uuid`);
  await auditAction(ctx, {
    action: 'source.lead_mapping_saved',
    targetType: 'source',
    targetId: sourceId,
    details: { before: before.mapping, after: mapping },
  });
  return { mapping };
}

/** A lead platform's own JSON → LeadInput, configured per source in the console (Sources → 字段映射). */
export function leadMappingRoutes(app: App, s: Services) {
  app.get('/api/sources/:id/lead-mapping', {
    config: { access: manage },
    schema: {
      tags: ['leads'],
      summary: 'The field mapping of a lead platform source',
      params: Id,
      response: { 200: SourceLeadMapping, ...errors(401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => readMapping(ctx, req.params.id)),
  });
  app.put('/api/sources/:id/lead-mapping', {
    config: { access: manage },
    schema: {
      tags: ['leads'],
      summary: 'Save (or remove, with null) the field mapping POST /v1/leads applies to this source',
      params: Id,
      body: SourceLeadMapping,
      response: { 200: SourceLeadMapping, ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => saveMapping(ctx, req.params.id, req.body.mapping)),
  });
  app.post('/api/sources/:id/lead-mapping/preview', {
    config: { access: manage },
    schema: {
      tags: ['leads'],
      summary: 'Apply a mapping to a sample body without saving anything: the leads it reads and the problems',
      params: Id,
      body: LeadMappingPreviewRequest,
      response: { 200: LeadMappingPreview, ...errors(400, 401, 403, 404) },
    },
    handler: (req) =>
      s.inTenant(req, async (ctx) => {
        await readMapping(ctx, req.params.id);
        return mapJsonLeads(req.body.sample, req.body.mapping);
      }),
  });
}
