import type { ImportOutcome } from '@forecourt/contracts';
import { stat } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import { backgroundBatch, rowsOf, StatementPipeline, withTenant, yieldToRequests, type Tx } from '../../platform/db.js';
import { AppError } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import type { JobDeps } from '../../platform/jobs.js';
import { recordAudit } from '../audit/record-audit.js';
import { appendActivity, type ConsentRow, type EventRow, type UnitLinkRow, type VehicleRow } from '../customers/append-activity.js';
import type { Extracted } from '../identity/extract-identities.js';
import type { MessageToResolve } from '../identity/plan-batch.js';
import { resolveBatch } from '../identity/resolve-batch.js';
import { loadSettings, type CdpSettings } from '../identity/settings.js';
import { estimateDataRows, removeUpload } from './files.js';
import { prepareInWorker } from './prepare-in-worker.js';
import { prepareBatches, type PreparedBatch, type PreparedRow, type PrepareOptions } from './prepare-rows.js';
import { mappingOf, type ImportRow } from './queries.js';

/** Rows per transaction: large enough that round trips don't dominate, small enough for a snappy progress bar. */
export const IMPORT_BATCH_ROWS = 5000;
/** On the embedded database requests wait for a batch's transaction (db.ts backgroundBatch): shorter ones there. */
export const EMBEDDED_IMPORT_BATCH_ROWS = 1000;

export interface RunImportOptions {
  batchSize?: number;
  /** Stop after the batch in flight, as a killed process would (tests). */
  signal?: AbortSignal;
  /** Prepare rows on a worker thread: by default for files of PREPARE_IN_WORKER_FROM_BYTES and more. */
  worker?: boolean;
}

/** Below this size (about 20,000 rows) starting a thread costs more than it saves. */
export const PREPARE_IN_WORKER_FROM_BYTES = 2 * 1024 * 1024;

/** How a run ended: finished, stopped because the import was cancelled or another runner took it over, interrupted, or failed. */
export type RunResult = 'done' | 'stopped' | 'interrupted' | 'failed';

interface Context {
  deps: JobDeps;
  tenantId: string;
  importId: string;
  sourceId: string;
  fileName: string;
  dryRun: boolean;
  settings: CdpSettings;
  kinds: Map<string, string>;
  unit: { id: string; path: string } | null;
}

/**
 * The import job: reads the file as a stream, maps and validates each row, and feeds the good rows in
 * batches through the One ID resolution the tracking pipeline uses. Each batch is one transaction that
 * also moves the import's counters, so `processed_rows` is an exact checkpoint: a run that was killed
 * resumes after it. A row's fingerprint is its message id, so a row already imported (by this file or an
 * earlier one) adds nothing and counts as a duplicate. A dry run does the same without writing profiles.
 */
export async function runImport(deps: JobDeps, tenantId: string, importId: string, opts: RunImportOptions = {}): Promise<RunResult> {
  const { database } = deps;
  const row = await withTenant(database.db, tenantId, async (tx) => {
    const [found] = await rowsOf<ImportRow>(tx, sql`select * from imports where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid`);
    return found;
  });
  if (!row || (row.status !== 'queued' && row.status !== 'running')) return 'stopped';
  const mapping = mappingOf(row);
  let pending: Promise<boolean> | null = null;
  try {
    if (!mapping) throw new AppError('VALIDATION_FAILED', 'mapping: the import has no valid column mapping.');
    const estimate = row.format === 'csv' && row.total_rows === null ? await estimateDataRows(row.file_path) : null;
    const context = await withTenant(database.db, tenantId, async (tx): Promise<Context | null> => {
      const started = await rowsOf<{ id: string }>(
        tx,
        sql`update imports set status = 'running', started_at = coalesce(started_at, now()), total_rows = coalesce(total_rows, ${estimate}::bigint)
            where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid and status in ('queued', 'running') returning id`,
      );
      if (started.length === 0) return null;
      const sources = await rowsOf<{ id: string; kind: string; org_unit_id: string | null; path: string | null }>(
        tx,
        sql`select s.id, s.kind, s.org_unit_id, u.path from sources s left join org_units u on u.tenant_id = s.tenant_id and u.id = s.org_unit_id
            where s.tenant_id = ${tenantId}::uuid`,
      );
      const own = sources.find((s) => s.id === row.source_id);
      return {
        deps,
        tenantId,
        importId,
        sourceId: row.source_id,
        fileName: row.file_name,
        dryRun: row.dry_run,
        settings: await loadSettings(tx, tenantId),
        kinds: new Map(sources.map((s) => [s.id, s.kind])),
        unit: own?.org_unit_id && own.path ? { id: own.org_unit_id, path: own.path } : null,
      };
    });
    if (!context) return 'stopped';

    let expected = Number(row.processed_rows);
    // The next batch is prepared while this one is written: on a worker thread for large files (the second core).
    const size = opts.batchSize ?? backgroundBatch(database, IMPORT_BATCH_ROWS, EMBEDDED_IMPORT_BATCH_ROWS);
    const inWorker = opts.worker ?? (await fileSize(row.file_path)) >= PREPARE_IN_WORKER_FROM_BYTES;
    const prepare: PrepareOptions = {
      keys: deps.keys,
      sourceId: row.source_id,
      dryRun: row.dry_run,
      // Seal ahead, not inside the transaction: on a worker thread (the other core), or on PostgreSQL, where this
      // process waits for the database most of a batch. PGlite runs the database on this thread: no gain there.
      seal: !row.dry_run && (inWorker || database.kind === 'postgres'),
      path: row.file_path,
      format: row.format,
      skip: Number(row.processed_rows),
      mapping,
      size,
    };
    for await (const batch of inWorker ? prepareInWorker(prepare) : prepareBatches(prepare)) {
      if (pending && !(await pending)) return 'stopped';
      if (pending) await yieldToRequests(database);
      if (opts.signal?.aborted) return 'interrupted';
      pending = writeBatch(context, batch, expected);
      pending.catch(() => undefined); // awaited on the next turn; this keeps it from counting as unhandled meanwhile
      expected += batch.consumed;
    }
    if (pending && !(await pending)) return 'stopped';
    if (opts.signal?.aborted) return 'interrupted';
    return (await finish(context, expected)) ? 'done' : 'stopped';
  } catch (err) {
    // The rows read before the failure are kept: let the batch in flight commit first.
    if (pending) await pending.catch(() => undefined);
    const failure =
      err instanceof AppError ? err.userMessage : 'The import stopped on a server error; start it again to resume where it stopped.';
    const marked = await withTenant(database.db, tenantId, (tx) =>
      rowsOf<{ id: string }>(
        tx,
        sql`update imports set status = 'failed', failure = ${failure}, finished_at = now()
            where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid and status = 'running' returning id`,
      ),
    );
    // Another runner finished or failed it meanwhile (and may have removed the file this one then missed).
    if (marked.length === 0) return 'stopped';
    if (!(err instanceof AppError)) deps.logger.error({ err, importId }, 'import failed');
    return 'failed';
  }
}

/**
 * One batch, one transaction: the rows, their errors and the import's counters commit together. Returns
 * false, writing nothing, when the import was cancelled or another runner has moved it on.
 */
async function writeBatch(context: Context, batch: PreparedBatch, expected: number): Promise<boolean> {
  const { deps, tenantId, importId, sourceId, dryRun } = context;
  return withTenant(deps.database.db, tenantId, async (tx) => {
    const [current] = await rowsOf<{ status: string; processed_rows: number | string }>(
      tx,
      sql`select status, processed_rows from imports where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid for update`,
    );
    if (!current || current.status !== 'running' || Number(current.processed_rows) !== expected) return false;
    // A batch lost in a crash is done again on resume (its checkpoint rolls back with it): no need to wait for the disk.
    // The writes after the resolution go out without waiting for each other (the database works while this process builds the next).
    const pipeline = new StatementPipeline(tx);
    if (deps.database.kind === 'postgres') pipeline.send(sql`set local synchronous_commit = off`);

    const fresh = await freshRows(tx, tenantId, batch.ok, dryRun);
    const at = new Date().toISOString();
    const messages: MessageToResolve[] = fresh.map((r, index) => ({
      index,
      sourceId,
      sourceKind: 'import',
      at,
      extracted: extractedOf(r),
      identities: r.identities,
      tags: r.record.tags,
    }));
    const outcome: ImportOutcome = { newProfiles: 0, matchedRows: 0, merges: 0 };
    if (messages.length > 0) {
      const plan = await resolveBatch(tx, {
        kind: deps.database.kind,
        keys: deps.keys,
        tenantId,
        settings: context.settings,
        messages,
        kindOf: (id) => (id ? (context.kinds.get(id) ?? null) : null),
        write: !dryRun,
        nameForms: batch.nameForms,
        pipeline,
      });
      for (const p of plan.profiles.values()) if (p.isNew && plan.current(p.id) === p.id) outcome.newProfiles += 1;
      for (const m of messages) if (!plan.profiles.get(plan.resolutions.get(m.index)!)?.isNew) outcome.matchedRows += 1;
      outcome.merges = plan.merges.length;
      if (!dryRun) await appendActivity(tx, tenantId, activityOf(context, fresh, messages, plan, at), pipeline);
    }
    if (batch.errors.length > 0) {
      pipeline.send(sql`
        insert into import_errors (tenant_id, import_id, line, errors)
        select ${tenantId}::uuid, ${importId}::uuid, line, errors
        from jsonb_to_recordset(${JSON.stringify(batch.errors)}::jsonb) as x(line int, errors jsonb)
        on conflict do nothing`);
    }
    const duplicates = batch.repeated + (batch.ok.length - fresh.length);
    pipeline.send(sql`
      update imports set processed_rows = processed_rows + ${batch.consumed}, ok_rows = ok_rows + ${fresh.length},
             error_rows = error_rows + ${batch.errors.length}, duplicate_rows = duplicate_rows + ${duplicates},
             mapping = jsonb_set(mapping, '{outcome}', jsonb_build_object(
               'newProfiles', coalesce((mapping->'outcome'->>'newProfiles')::bigint, 0) + ${outcome.newProfiles},
               'matchedRows', coalesce((mapping->'outcome'->>'matchedRows')::bigint, 0) + ${outcome.matchedRows},
               'merges', coalesce((mapping->'outcome'->>'merges')::bigint, 0) + ${outcome.merges}))
      where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid`);
    await pipeline.flush();
    return true;
  });
}

/** The rows whose message id is new. A real run claims the ids (so a repeat of the file adds nothing); a dry run only looks. */
async function freshRows(tx: Tx, tenantId: string, rows: PreparedRow[], dryRun: boolean): Promise<PreparedRow[]> {
  if (rows.length === 0) return rows;
  const ids = JSON.stringify(rows.map((r) => r.messageId));
  const known = dryRun
    ? await rowsOf<{ message_id: string }>(
        tx,
        sql`select message_id from message_ids where tenant_id = ${tenantId}::uuid
            and message_id = any(array(select jsonb_array_elements_text(${ids}::jsonb)))`,
      )
    : null;
  if (known) {
    const old = new Set(known.map((k) => k.message_id));
    return rows.filter((r) => !old.has(r.messageId));
  }
  const claimed = await rowsOf<{ message_id: string }>(
    tx,
    sql`insert into message_ids (tenant_id, message_id, received_at)
        select ${tenantId}::uuid, x, now() from jsonb_array_elements_text(${ids}::jsonb) x
        on conflict do nothing returning message_id`,
  );
  const mine = new Set(claimed.map((c) => c.message_id));
  return rows.filter((r) => mine.has(r.messageId));
}

function extractedOf(row: PreparedRow): Extracted {
  const { record } = row;
  const name = typeof record.traits.name === 'string' ? record.traits.name : null;
  return {
    identities: row.found,
    junk: [],
    invalid: [],
    traits: record.traits,
    name,
    consents: record.consents.map((c) => ({ ...c, evidence: {} })),
    vins: record.identities.filter((i) => i.type === 'vin').map((i) => i.value),
  };
}

function activityOf(
  context: Context,
  rows: PreparedRow[],
  messages: MessageToResolve[],
  plan: Awaited<ReturnType<typeof resolveBatch>>,
  at: string,
): { events: EventRow[]; consents: ConsentRow[]; vehicles: VehicleRow[]; units: UnitLinkRow[]; unitReason: string } {
  const { sourceId, importId, fileName, unit } = context;
  const events: EventRow[] = [];
  const consents: ConsentRow[] = [];
  const vehicles: VehicleRow[] = [];
  const units: UnitLinkRow[] = [];
  const evidence = { importId, fileName };
  for (const m of messages) {
    const row = rows[m.index]!;
    const origin = plan.resolutions.get(m.index)!;
    const profileId = plan.current(origin);
    events.push({
      id: uuidv7(),
      timestamp: at,
      profile_id: profileId,
      origin_profile_id: origin,
      source_id: sourceId,
      message_id: row.messageId,
      type: 'import',
      name: fileName,
      original_timestamp: null,
      received_at: at,
      // Which file and line; what the row said is on the profile (traits with their source and time).
      properties: { importId, line: row.line },
      context: {},
    });
    for (const c of m.extracted.consents) {
      consents.push({ id: uuidv7(), profile_id: profileId, ...c, at, source_id: sourceId, evidence: { ...evidence, line: row.line } });
    }
    for (const vin of m.extracted.vins) vehicles.push({ profile_id: profileId, vin, source_id: sourceId, at });
    if (unit) units.push({ profile_id: profileId, org_unit_id: unit.id, path: unit.path });
  }
  return { events, consents, vehicles, units, unitReason: 'import' };
}

/** The end of a run: `done` with the exact row count; a real import's file is removed. */
async function finish(context: Context, expected: number): Promise<boolean> {
  const { deps, tenantId, importId, dryRun } = context;
  const finished = await withTenant(deps.database.db, tenantId, async (tx) => {
    const [row] = await rowsOf<ImportRow>(
      tx,
      sql`update imports set status = 'done', finished_at = now(), total_rows = processed_rows
          where tenant_id = ${tenantId}::uuid and id = ${importId}::uuid and status = 'running' and processed_rows = ${expected}
          returning *`,
    );
    if (!row) return null;
    await recordAudit(tx, {
      tenantId,
      action: 'import.finished',
      actorId: null,
      actorName: 'system',
      targetType: 'import',
      targetId: importId,
      details: {
        dryRun,
        rows: Number(row.processed_rows),
        ok: Number(row.ok_rows),
        errors: Number(row.error_rows),
        duplicates: Number(row.duplicate_rows),
      },
    });
    return row;
  });
  if (!finished) return false;
  if (!dryRun) removeUpload(finished.file_path);
  return true;
}

const fileSize = (path: string) =>
  stat(path).then(
    (s) => s.size,
    () => 0,
  );
