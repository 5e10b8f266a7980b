import { TASK_TYPE_LABELS, TaskType } from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { rowsOf, type Database, type Tx } from '../../platform/db.js';
import { defineJob } from '../../platform/jobs.js';
import { enqueueWebhookEvent } from '../notifications/enqueue-webhook-event.js';
import { notify, type NoteInput } from '../notifications/notify.js';

/** Tasks claimed per transaction; the rest wait for the next batch of the same run. */
const BATCH = 2_000;

interface OverdueRow {
  tenant_id: string;
  id: string;
  lead_id: string | null;
  owner_user_id: string | null;
  type: string;
  title: string | null;
  due_at: Date | string;
  customer_name: string | null;
  time_zone: string | null;
}

function titleOf(r: OverdueRow): string {
  const parsed = TaskType.safeParse(r.type);
  const what = r.title ?? (parsed.success ? TASK_TYPE_LABELS[parsed.data].zh : r.type);
  return `任务逾期：${what}${r.customer_name ? ` · ${r.customer_name}` : ''}`;
}

/** The due time as people of the tenant read it: "3月2日 14:30". */
function dueText(r: OverdueRow): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: r.time_zone ?? 'Asia/Shanghai',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(new Date(r.due_at));
}

/**
 * Marks up to BATCH newly overdue open tasks (every tenant, one statement, SKIP LOCKED so several workers
 * share the work) and tells their owners in the same transaction: an in-app notification and the
 * `task.overdue` webhook. A task is announced once (overdue_notified_at).
 */
export async function notifyOverdueTasks(tx: Tx): Promise<number> {
  const rows = await rowsOf<OverdueRow>(
    tx,
    sql`with due as (
          select tenant_id, id from tasks
          where status = 'open' and overdue_notified_at is null and due_at < now()
          order by due_at limit ${BATCH} for update skip locked)
        update tasks t set overdue_notified_at = now() from due
        where t.tenant_id = due.tenant_id and t.id = due.id
        returning t.tenant_id, t.id, t.lead_id, t.owner_user_id, t.type, t.title, t.due_at,
          (select l.customer_name from leads l where l.tenant_id = t.tenant_id and l.id = t.lead_id) as customer_name,
          (select tn.time_zone from tenants tn where tn.id = t.tenant_id) as time_zone`,
  );
  const byTenant = new Map<string, OverdueRow[]>();
  for (const r of rows) byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), r]);
  for (const [tenantId, tasks] of byTenant) {
    const notes: NoteInput[] = tasks
      .filter((t) => t.owner_user_id !== null)
      .map((t) => ({
        userId: t.owner_user_id!,
        kind: 'task.overdue',
        title: titleOf(t),
        body: `截止 ${dueText(t)}`,
        link: t.lead_id ? `/leads/${t.lead_id}` : '/tasks',
      }));
    await notify(tx, tenantId, notes);
    for (const t of tasks)
      await enqueueWebhookEvent(tx, tenantId, 'task.overdue', {
        taskId: t.id,
        leadId: t.lead_id,
        type: t.type,
        ownerUserId: t.owner_user_id,
        dueAt: new Date(t.due_at).toISOString(),
      });
  }
  return rows.length;
}

/** Runs batches until no overdue task is left unannounced (bounded, so one run cannot spin forever). */
export async function runTaskOverdueSweep(database: Database): Promise<number> {
  let total = 0;
  for (let i = 0; i < 50; i++) {
    const n = await database.db.transaction((tx) => notifyOverdueTasks(tx));
    total += n;
    if (n < BATCH) break;
  }
  return total;
}

/** Every minute: overdue alerts for tasks (first contact, test-drive callback, deposit follow-up, reminders, custom). */
export const taskOverdueJob = defineJob({
  name: 'leads.task-overdue',
  payload: z.object({}).passthrough(),
  schedule: '* * * * *',
  expireInSeconds: 5 * 60,
  retryLimit: 0, // the next minute's run retries
  handler: async (_payload, { database, logger }) => {
    const n = await runTaskOverdueSweep(database);
    if (n > 0) logger.info({ tasks: n }, 'overdue tasks announced');
  },
});
