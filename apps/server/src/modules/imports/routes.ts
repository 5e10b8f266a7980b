import { rename } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ImportListQuery, ImportPreview, ImportRowError, ImportView, SaveImportMapping, StartImport, pageOf } from '@forecourt/contracts';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../platform/errors.js';
import { errors, type App, type Services } from '../../platform/http.js';
import { uuidv7 } from '../../platform/ids.js';
import type { Jobs } from '../../platform/jobs.js';
import { auditAction } from '../audit/record-audit.js';
import { createImport } from './create-import.js';
import { errorsCsv } from './export-errors.js';
import { detectUploadFormat, readHead, removeUpload, saveUpload, tooLarge, UPLOAD_CONTENT_TYPES, uploadPath } from './files.js';
import { importJob } from './job.js';
import { readPreview } from './preview.js';
import { getImport, listImportErrors, listImports } from './queries.js';
import { getPreview, saveMapping } from './save-mapping.js';
import { cancelImport, startImport } from './start-import.js';

const Id = z.object({ id: z.string().uuid() });
const run = { permission: 'imports.run', scope: 'role' } as const;

export type ImportServices = Services & { jobs: Jobs };

/**
 * Customer imports. The file is uploaded as the raw request body (no multipart: the console and scripts send
 * the file itself, `?fileName=` names it), streamed to the data directory, then mapped, previewed and run as a job.
 */
export async function importRoutes(app: App, s: ImportServices) {
  const maxBytes = s.config.FORECOURT_IMPORT_MAX_MB * 2 ** 20;

  await app.register(async (upload) => {
    // The body stays a stream: a 100 MB file goes to disk, not into memory.
    upload.removeAllContentTypeParsers();
    upload.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    upload.withTypeProvider<ZodTypeProvider>().post('/api/imports', {
      config: { access: run },
      schema: {
        tags: ['imports'],
        summary:
          'Upload a CSV or XLSX file as the raw body (Content-Type text/csv or the xlsx type, ?fileName=…); answers headers, a suggested mapping and a preview',
        querystring: z.object({ fileName: z.string().trim().min(1).max(255) }),
        response: { 201: ImportPreview, ...errors(400, 401, 403, 413) },
      },
      handler: async (req, reply) => {
        const auth = req.auth!;
        const contentType = String(req.headers['content-type'] ?? '')
          .split(';')[0]!
          .trim()
          .toLowerCase();
        if (!(UPLOAD_CONTENT_TYPES as readonly string[]).includes(contentType)) {
          throw new AppError('VALIDATION_FAILED', `content-type: send the file itself as text/csv or ${UPLOAD_CONTENT_TYPES[5]}.`, [
            { path: 'content-type', message: `one of ${UPLOAD_CONTENT_TYPES.join(', ')}` },
          ]);
        }
        const declared = Number(req.headers['content-length'] ?? 0);
        if (declared > maxBytes) throw tooLarge(maxBytes);
        const id = uuidv7();
        const received = uploadPath(s.config.dataDir, auth.tenantId, id, 'csv') + '.part';
        // An empty body never reaches the content-type parser.
        const body = req.body instanceof Readable ? req.body : Readable.from([]);
        const bytes = await saveUpload(body, received, maxBytes);
        let file = received;
        try {
          const format = detectUploadFormat(await readHead(received), req.query.fileName);
          file = uploadPath(s.config.dataDir, auth.tenantId, id, format);
          await rename(received, file);
          const preview = await readPreview({ path: file, format }, null);
          if (preview.noData) throw new AppError('VALIDATION_FAILED', 'file: there are no data rows below the header row.');
          const answer = await s.inTenant(req, (ctx) =>
            createImport(ctx, { id, fileName: req.query.fileName, format, filePath: file, bytes }, preview),
          );
          return reply.status(201).send(answer);
        } catch (err) {
          removeUpload(file);
          throw err;
        }
      },
    });
  });

  app.get('/api/imports', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Imports in my scope, newest first',
      querystring: ImportListQuery,
      response: { 200: pageOf(ImportView), ...errors(400, 401, 403) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listImports(ctx, req.query)),
  });
  app.get('/api/imports/:id', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'An import with its progress: processed, ok, error and duplicate rows, percent, rows per second',
      params: Id,
      response: { 200: ImportView, ...errors(401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getImport(ctx, req.params.id)),
  });
  app.get('/api/imports/:id/preview', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Headers, masked samples and the first 20 rows mapped with the saved (or suggested) mapping',
      params: Id,
      response: { 200: ImportPreview, ...errors(401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => getPreview(ctx, req.params.id)),
  });
  app.put('/api/imports/:id/mapping', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Save the column mapping; answers the preview with it',
      params: Id,
      body: SaveImportMapping,
      response: { 200: ImportPreview, ...errors(400, 401, 403, 404, 409) },
    },
    handler: (req) => s.inTenant(req, (ctx) => saveMapping(ctx, req.params.id, req.body)),
  });
  app.post('/api/imports/:id/start', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Run the import (or a dry run that writes no profiles) as a job; a failed run resumes where it stopped',
      params: Id,
      body: StartImport,
      response: { 202: ImportView, ...errors(400, 401, 403, 404, 409) },
    },
    handler: async (req, reply) => {
      const view = await s.inTenant(req, (ctx) => startImport(ctx, req.params.id, req.body));
      // After the commit: the job must find the import queued.
      await s.jobs.send(importJob, { tenantId: req.auth!.tenantId, importId: view.id });
      return reply.status(202).send(view);
    },
  });
  app.post('/api/imports/:id/cancel', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Stop an import after its current batch and remove its file; rows already imported stay',
      params: Id,
      response: { 200: ImportView, ...errors(401, 403, 404, 409) },
    },
    handler: async (req) => {
      const { view, filePath } = await s.inTenant(req, (ctx) => cancelImport(ctx, req.params.id));
      removeUpload(filePath);
      return { ...view, fileBytes: null };
    },
  });
  app.get('/api/imports/:id/errors', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'Rejected rows by line number (header = line 1), with masked values',
      params: Id,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).default(100), cursor: z.string().max(100).optional() }),
      response: { 200: pageOf(ImportRowError), ...errors(400, 401, 403, 404) },
    },
    handler: (req) => s.inTenant(req, (ctx) => listImportErrors(ctx, req.params.id, req.query)),
  });
  app.get('/api/imports/:id/errors.csv', {
    config: { access: run },
    schema: {
      tags: ['imports'],
      summary: 'All rejected rows as CSV (line, column, field, masked value, message); audited',
      params: Id,
      response: { 200: z.string(), ...errors(401, 403, 404) },
    },
    handler: async (req, reply) => {
      const { csv, fileName } = await s.inTenant(req, async (ctx) => {
        const answer = await errorsCsv(ctx, req.params.id);
        await auditAction(ctx, {
          action: 'import.errors_exported',
          targetType: 'import',
          targetId: req.params.id,
          details: { rows: answer.rows },
        });
        return answer;
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="import-errors.csv"; filename*=UTF-8''${fileName}`)
        .send(csv);
    },
  });
}
