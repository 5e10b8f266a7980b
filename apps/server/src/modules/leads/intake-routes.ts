import {
  CreateLeadBody,
  IntakeResult,
  LeadFieldMapping,
  LeadInput,
  type IntakeProblem,
  type IntakeResultItem,
  type LeadIntake,
} from '@forecourt/contracts';
import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import { rowsOf, withTenant } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { errors, type App } from '../../platform/http.js';
import type { IngestServices } from '../ingest/routes.js';
import type { WriteKeyPrincipal } from '../ingest/write-keys.js';
import { createLead, intakeContextOf } from './create-lead.js';
import { intakeSourceOf } from './intake-source.js';
import { parseAdf } from './parse/adf.js';
import { findAdfInEmail } from './parse/email.js';
import { mapJsonLeads } from './parse/map-json.js';

/** A lead document may be larger than a tracking call: an ADF file with many prospects, an e-mail with attachments. */
const INTAKE_BODY_BYTES = 5 * 1024 * 1024;
const MAX_LEADS_PER_REQUEST = 500;

const writeKey = { permission: 'write_key', scope: 'source' } as const;

/** The first field an AppError names (its details), for a per-lead problem. */
function pathOf(err: AppError): string {
  const first = Array.isArray(err.details) ? (err.details[0] as { path?: unknown } | undefined) : undefined;
  return typeof first?.path === 'string' ? first.path : '';
}

/** The body's charset (utf-8 unless the content type names another; gb18030 and gbk are common in China). */
function decodeBody(req: FastifyRequest, body: Buffer): string {
  const type = String(req.headers['content-type'] ?? '');
  const charset = /charset="?([\w-]+)"?/i.exec(type)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    throw new AppError('VALIDATION_FAILED', `content-type: unknown charset "${charset}".`);
  }
}

function contentTypeOf(req: FastifyRequest): string {
  return String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
}

/** Every intake endpoint's lead-by-lead loop: each lead in its own transaction, so one bad prospect never costs the others. */
async function takeLeads(
  s: IngestServices,
  opts: { tenantId: string; sourceId: string; intake: LeadIntake; raw: string; leads: LeadInput[]; problems: IntakeProblem[] },
): Promise<{ results: IntakeResultItem[]; problems: IntakeProblem[]; rejected: number }> {
  const results: IntakeResultItem[] = [];
  const problems = [...opts.problems];
  let rejected = 0;
  for (const [index, input] of opts.leads.entries()) {
    try {
      const r = await withTenant(s.database.db, opts.tenantId, (tx) =>
        createLead(
          { tx, tenantId: opts.tenantId, keys: s.keys, driver: s.database.kind, actorId: null },
          { sourceId: opts.sourceId, intake: opts.intake, input, raw: opts.raw, receivedAt: new Date() },
        ),
      );
      results.push({ index, ...r });
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      rejected += 1;
      problems.push({ index, path: pathOf(err), message: err.userMessage });
    }
  }
  return { results, problems, rejected };
}

/** A document's leads that were all refused is an error for the sender (422 listing why); otherwise 200 with the problems. */
function answer(out: { results: IntakeResultItem[]; problems: IntakeProblem[]; rejected: number }): IntakeResult {
  if (out.results.length === 0 && out.rejected > 0) {
    const first = out.problems.find((p) => p.path !== '' || p.message) ?? out.problems[0];
    throw new AppError(
      'UNPROCESSABLE',
      `No lead of the request was accepted${first ? ` (lead ${first.index}: ${first.message})` : ''}.`,
      out.problems,
    );
  }
  return { results: out.results, problems: out.problems };
}

/** Zod issues of one lead of a JSON body as intake problems. */
function validateEach(items: unknown[]): { leads: LeadInput[]; indexes: number[]; problems: IntakeProblem[] } {
  const leads: LeadInput[] = [];
  const indexes: number[] = [];
  const problems: IntakeProblem[] = [];
  items.forEach((item, index) => {
    const parsed = LeadInput.safeParse(item);
    if (parsed.success) {
      leads.push(parsed.data);
      indexes.push(index);
    } else for (const issue of parsed.error.issues) problems.push({ index, path: issue.path.join('.'), message: issue.message });
  });
  return { leads, indexes, problems };
}

/**
 * Lead intake: `POST /api/leads` for people and servers with an API key (walk-ins, phone-ins, CRM),
 * and the per-source sender endpoints under /v1 with the source's write key (JSON with an optional
 * field mapping, ADF/XML, an e-mail carrying ADF).
 */
export async function leadIntakeRoutes(app: App, s: IngestServices) {
  app.post('/api/leads', {
    config: { access: { permission: 'leads.create', scope: 'role' } },
    schema: {
      tags: ['leads'],
      summary:
        'Enter a lead (walk-in, phone-in, API): 201 created, 200 when it became an inquiry on the customer’s open lead or repeats an external id; 422 without a contact',
      body: CreateLeadBody,
      response: { 200: IntakeResult, 201: IntakeResult, ...errors(400, 401, 403, 404, 422) },
    },
    handler: async (req, reply) => {
      const { sourceId: _id, sourceCode: _code, intake, ...input } = req.body;
      const r = await s.inTenant(req, async (ctx) => {
        const sourceId = await intakeSourceOf(ctx, req.body);
        return createLead(intakeContextOf(ctx, s.database.kind), {
          sourceId,
          intake,
          input,
          raw: JSON.stringify(req.body),
          receivedAt: new Date(),
        });
      });
      return reply.status(r.status === 'created' ? 201 : 200).send({ results: [{ index: 0, ...r }], problems: [] });
    },
  });

  await app.register(async (v1) => {
    v1.removeAllContentTypeParsers();
    // The handler reads the body only after the write key checks out, in the format its endpoint takes.
    v1.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: INTAKE_BODY_BYTES }, (_req, body, done) => done(null, body));

    const principalOf = async (req: FastifyRequest, json: unknown): Promise<WriteKeyPrincipal> => {
      let key: string | null = null;
      const header = req.headers.authorization;
      if (typeof header === 'string' && header.startsWith('Basic '))
        key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0] ?? null;
      if (!key && json && typeof json === 'object' && typeof (json as { writeKey?: unknown }).writeKey === 'string')
        key = (json as { writeKey: string }).writeKey;
      if (!key) throw new AppError('UNAUTHENTICATED', 'writeKey: send the source’s write key as the Basic auth user.');
      const principal = await s.writeKeys.authenticate(key.trim());
      if (!principal) throw new AppError('UNAUTHENTICATED', 'writeKey: unknown, revoked or expired write key, or its source was stopped.');
      return principal;
    };
    const bodyOf = (req: FastifyRequest): Buffer => (Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    const tooMany = (n: number) => {
      if (n > MAX_LEADS_PER_REQUEST)
        throw new AppError('PAYLOAD_TOO_LARGE', `body: ${n} leads; send at most ${MAX_LEADS_PER_REQUEST} per request.`);
    };

    v1.post('/v1/leads', {
      config: { access: writeKey },
      schema: {
        tags: ['leads'],
        summary:
          'Leads from a sender (write key as Basic user): a LeadInput, { leads: [...] }, or the platform’s own JSON when the source has a field mapping',
        response: { 200: IntakeResult, ...errors(400, 401, 413, 422) },
      },
      handler: async (req) => {
        const text = decodeBody(req, bodyOf(req));
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        const principal = await principalOf(req, json);
        if (json === undefined) throw new AppError('VALIDATION_FAILED', 'body: not valid JSON.');
        const [source] = await withTenant(s.database.db, principal.tenantId, (tx) =>
          rowsOf<{ mapping: unknown }>(
            tx,
            sql`select settings->'leadMapping' as mapping from sources where tenant_id = ${principal.tenantId}::uuid and id = ${principal.sourceId}::uuid`,
          ),
        );
        const base = { tenantId: principal.tenantId, sourceId: principal.sourceId, raw: text };
        if (source?.mapping) {
          const mapping = LeadFieldMapping.safeParse(source.mapping);
          if (!mapping.success)
            throw new AppError('VALIDATION_FAILED', 'leadMapping: the source’s field mapping is not valid; fix it in the console.');
          const mapped = mapJsonLeads(json, mapping.data);
          tooMany(mapped.leads.length);
          if (mapped.leads.length === 0)
            throw new AppError('VALIDATION_FAILED', `body: no lead could be read with the source’s field mapping.`, mapped.problems);
          return answer(await takeLeads(s, { ...base, intake: 'mapped_json', leads: mapped.leads, problems: mapped.problems }));
        }
        const list =
          json && typeof json === 'object' && Array.isArray((json as { leads?: unknown }).leads)
            ? (json as { leads: unknown[] }).leads
            : null;
        if (!list) {
          // One lead: its failures are the answer's status, like POST /api/leads.
          const { writeKey: _key, ...rest } = json as Record<string, unknown>;
          const parsed = LeadInput.safeParse(rest);
          if (!parsed.success) {
            const issue = parsed.error.issues[0]!;
            const path = ['body', ...issue.path].join('.');
            throw new AppError('VALIDATION_FAILED', `${path}: ${issue.message}`, [{ path, message: issue.message }]);
          }
          const r = await withTenant(s.database.db, principal.tenantId, (tx) =>
            createLead(
              { tx, tenantId: principal.tenantId, keys: s.keys, driver: s.database.kind, actorId: null },
              { sourceId: principal.sourceId, intake: 'api', input: parsed.data, raw: text, receivedAt: new Date() },
            ),
          );
          return { results: [{ index: 0, ...r }], problems: [] };
        }
        tooMany(list.length);
        const checked = validateEach(list);
        const out = await takeLeads(s, { ...base, intake: 'api', leads: checked.leads, problems: checked.problems });
        // Results carry the index of the lead in the request, not in the valid subset.
        out.results = out.results.map((r) => ({ ...r, index: checked.indexes[r.index]! }));
        out.problems = out.problems.map((p, i) => (i < checked.problems.length ? p : { ...p, index: checked.indexes[p.index]! }));
        out.rejected += list.length - checked.leads.length;
        return answer(out);
      },
    });

    const takeAdf = async (
      req: FastifyRequest,
      principal: WriteKeyPrincipal,
      xml: string,
      intake: LeadIntake,
      raw: string,
      before: IntakeProblem[],
    ) => {
      const parsed = parseAdf(xml);
      const problems = [...before, ...parsed.problems];
      if (parsed.leads.length === 0) {
        const first = problems[0];
        throw new AppError('VALIDATION_FAILED', `body: no ADF prospect could be read${first ? `: ${first.message}` : ''}.`, problems);
      }
      tooMany(parsed.leads.length);
      req.log.info({ sourceId: principal.sourceId, prospects: parsed.leads.length, problems: problems.length }, 'ADF lead document');
      return answer(
        await takeLeads(s, { tenantId: principal.tenantId, sourceId: principal.sourceId, intake, raw, leads: parsed.leads, problems }),
      );
    };

    v1.post('/v1/leads/adf', {
      config: { access: writeKey },
      schema: {
        tags: ['leads'],
        summary:
          'ADF/XML (application/x-adf+xml, application/xml or text/xml), several prospects per document; tolerant, with problems listed',
        response: { 200: IntakeResult, ...errors(400, 401, 413, 422) },
      },
      handler: async (req) => {
        const principal = await principalOf(req, null);
        const type = contentTypeOf(req);
        if (!['application/x-adf+xml', 'application/xml', 'text/xml', 'text/plain', ''].includes(type))
          throw new AppError('VALIDATION_FAILED', `content-type: send application/x-adf+xml, application/xml or text/xml (got ${type}).`);
        const xml = decodeBody(req, bodyOf(req));
        return takeAdf(req, principal, xml, 'adf', xml, []);
      },
    });

    v1.post('/v1/leads/email', {
      config: { access: writeKey },
      schema: {
        tags: ['leads'],
        summary: 'A raw e-mail (message/rfc822 or text/plain) carrying an ADF document as an attachment or in its body',
        response: { 200: IntakeResult, ...errors(400, 401, 413, 422) },
      },
      handler: async (req) => {
        const principal = await principalOf(req, null);
        const type = contentTypeOf(req);
        if (!['message/rfc822', 'text/plain', 'application/octet-stream', ''].includes(type))
          throw new AppError('VALIDATION_FAILED', `content-type: send message/rfc822 or text/plain (got ${type}).`);
        const raw = bodyOf(req);
        const found = findAdfInEmail(raw);
        if (!found.xml) {
          const first = found.problems[0];
          throw new AppError(
            'VALIDATION_FAILED',
            `body: no ADF document found in the e-mail${first ? `: ${first.message}` : ''}.`,
            found.problems,
          );
        }
        return takeAdf(req, principal, found.xml, 'email', raw.toString('utf8'), found.problems);
      },
    });
  });
}
