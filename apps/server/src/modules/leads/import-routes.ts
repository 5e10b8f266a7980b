import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { LeadFileImportResult } from '@forecourt/contracts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { errors, type App, type Services } from '../../platform/http.js';
import { uuidv7 } from '../../platform/ids.js';
import { auditAction } from '../audit/record-audit.js';
import { detectUploadFormat, readHead, removeUpload, saveUpload, UPLOAD_CONTENT_TYPES, uploadPath } from '../imports/files.js';
import { importLeadFile, MAX_LEAD_FILE_ROWS } from './import-lead-file.js';

/** 2,000 leads are far below this; it only stops a wrong file early. */
const MAX_BYTES = 20 * 2 ** 20;

/** A file of leads as the raw body (like customer imports), read and taken in at once; the file is deleted after. */
export async function leadImportRoutes(app: App, s: Services) {
  await app.register(async (upload) => {
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    upload.withTypeProvider<ZodTypeProvider>().post('/api/leads/import', {
      config: { access: { permission: 'imports.run', scope: 'role' } },
      schema: {
        tags: ['leads'],
        summary: `Import up to ${MAX_LEAD_FILE_ROWS} leads from a CSV or XLSX file (raw body, ?fileName=, ?sourceId=); columns are matched by header; bad rows are reported by line and the good ones go in`,
        querystring: z.object({ fileName: z.string().trim().min(1).max(255), sourceId: z.string().uuid() }),
        response: { 200: LeadFileImportResult, ...errors(400, 401, 403, 404, 413) },
      },
      handler: async (req) => {
        const auth = req.auth!;
        const contentType = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(contentType))
          throw new AppError('VALIDATION_FAILED', `content-type: send the file itself as text/csv or ${UPLOAD_CONTENT_TYPES[5]}.`, [
            { path: 'content-type', message: `one of ${UPLOAD_CONTENT_TYPES.join(', ')}` },
          ]);
        const id = uuidv7();
        const received = uploadPath(s.config.dataDir, auth.tenantId, id, 'csv') + '.part';
        const body = req.body instanceof Readable ? req.body : Readable.from([]);
        await saveUpload(body, received, MAX_BYTES);
        let file = received;
        try {
          const format = detectUploadFormat(await readHead(received), req.query.fileName);
          file = uploadPath(s.config.dataDir, auth.tenantId, id, format);
          await rename(received, file);
          const result = await importLeadFile((fn) => s.inTenant(req, fn), s.database.kind, { file, format, sourceId: req.query.sourceId });
          await s.inTenant(req, (ctx) =>
            auditAction(ctx, {
              action: 'leads.imported',
              targetType: 'source',
              targetId: req.query.sourceId,
              details: { rows: result.rows, created: result.created, inquiries: result.inquiries, problems: result.problems.length },
            }),
          );
          return result;
        } finally {
          removeUpload(file);
        }
      },
    });
  });
}
