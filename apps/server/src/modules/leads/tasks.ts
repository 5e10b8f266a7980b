import type { CreateTask, Task, TaskQuery, TaskStatus, TaskType } from '@forecourt/contracts';
import { sql, type SQL } from 'drizzle-orm';
import type { AuthContext } from '../../platform/access.js';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf, type Executor, type Tx } from '../../platform/db.js';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';
import { decodeCursor, pageFrom } from '../../platform/pagination.js';
import { getUserInScope } from '../org/queries.js';
import { loadLeadForWork, type WorkLead } from './lead-access.js';

interface TaskRow {
  id: string;
  lead_id: string | null;
  customer_name: string | null;
  type: string;
  title: string | null;
  rule: string | null;
  due_at: Date | string;
  status: TaskStatus;
  done_at: Date | string | null;
  owner_user_id: string | null;
  owner_name: string | null;
  overdue: boolean;
  created_at: Date | string;
  dkey: string;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

function toTask(r: TaskRow): Task {
  return {
    id: r.id,
    leadId: r.lead_id,
    customerName: r.customer_name,
    type: r.type,
    title: r.title,
    rule: r.rule,
    dueAt: iso(r.due_at)!,
    status: r.status,
    doneAt: iso(r.done_at),
    ownerUserId: r.owner_user_id,
    ownerName: r.owner_name,
    overdue: r.overdue,
    createdAt: iso(r.created_at)!,
  };
}

const TASK_SELECT = sql`select t.id, t.lead_id, l.customer_name, t.type, t.title, t.rule, t.due_at, t.status, t.done_at,
         t.owner_user_id, u.display_name as owner_name, (t.status = 'open' and t.due_at < now()) as overdue, t.created_at,
         t.due_at::text as dkey
  from tasks t
  left join leads l on l.tenant_id = t.tenant_id and l.id = t.lead_id
  left join users u on u.tenant_id = t.tenant_id and u.id = t.owner_user_id`;

/** Tasks a caller may see: the tenant, their subtree's stores (and their own), or only their own. */
function taskInScope(auth: AuthContext): SQL {
  if (auth.scope === 'tenant' || auth.scopePath === '/') return sql`true`;
  if (auth.scope === 'own') return sql`t.owner_user_id = ${auth.userId}::uuid`;
  return sql`(t.store_path like ${auth.scopePath + '%'} or t.owner_user_id = ${auth.userId}::uuid)`;
}

async function taskById(tx: Executor, tenantId: string, id: string): Promise<Task> {
  const [row] = await rowsOf<TaskRow>(tx, sql`${TASK_SELECT} where t.tenant_id = ${tenantId}::uuid and t.id = ${id}::uuid`);
  if (!row) throw notFound('Task');
  return toTask(row);
}

/**
 * A task made by a rule (test-drive callback, deposit follow-up, appointment reminder) or a person, owned
 * by the lead's consultant unless someone else is named; it carries the lead's store for scoped lists.
 */
export async function addTask(
  tx: Tx,
  tenantId: string,
  input: {
    lead: WorkLead;
    type: TaskType;
    rule: string | null;
    title: string | null;
    dueAt: Date;
    ownerUserId: string | null;
    createdBy: string | null;
  },
): Promise<Task> {
  const id = uuidv7();
  const { lead } = input;
  await tx.execute(sql`
    insert into tasks (tenant_id, id, lead_id, profile_id, store_id, store_path, owner_user_id, type, title, rule, due_at, created_by)
    values (${tenantId}::uuid, ${id}::uuid, ${lead.id}::uuid, ${lead.profileId}::uuid, ${lead.storeId}::uuid, ${lead.storePath},
            ${input.ownerUserId}::uuid, ${input.type}, ${input.title}, ${input.rule}, ${input.dueAt.toISOString()}::timestamptz,
            ${input.createdBy}::uuid)`);
  return taskById(tx, tenantId, id);
}

/** Closes a lead's open tasks of some types (a done appointment ends its reminder; a lost lead ends them all). */
export async function closeLeadTasks(
  tx: Tx,
  tenantId: string,
  leadId: string,
  opts: { status: 'done' | 'cancelled'; types?: TaskType[]; at?: Date },
): Promise<void> {
  const types = opts.types ? sql`and type = any(array(select jsonb_array_elements_text(${JSON.stringify(opts.types)}::jsonb)))` : sql``;
  await tx.execute(sql`
    update tasks set status = ${opts.status}, done_at = ${(opts.at ?? new Date()).toISOString()}::timestamptz, version = version + 1
    where tenant_id = ${tenantId}::uuid and lead_id = ${leadId}::uuid and status = 'open' ${types}`);
}

/** Tasks in the caller's scope, soonest due first; `due=today` uses the tenant's time zone. */
export async function listTasks(ctx: UseCaseContext, query: TaskQuery): Promise<{ items: Task[]; nextCursor: string | null }> {
  const { auth } = ctx;
  const conditions: SQL[] = [sql`t.tenant_id = ${auth.tenantId}::uuid`, taskInScope(auth)];
  const owner = query.owner === 'me' ? auth.userId : query.owner;
  if (owner) conditions.push(sql`t.owner_user_id = ${owner}::uuid`);
  if (query.status) conditions.push(sql`t.status = ${query.status}`);
  if (query.leadId) conditions.push(sql`t.lead_id = ${query.leadId}::uuid`);
  if (query.due === 'overdue') conditions.push(sql`t.status = 'open' and t.due_at < now()`);
  if (query.due === 'today') {
    const tz = auth.tenantTimeZone;
    conditions.push(sql`t.due_at >= (date_trunc('day', now() at time zone ${tz}) at time zone ${tz})
                    and t.due_at < ((date_trunc('day', now() at time zone ${tz}) + interval '1 day') at time zone ${tz})`);
  }
  const cursor = decodeCursor(query.cursor, 2);
  if (cursor) conditions.push(sql`(t.due_at, t.id) > (${String(cursor[0])}::timestamptz, ${String(cursor[1])}::uuid)`);
  // The cursor keeps due_at at full (microsecond) precision, as text.
  const rows = await rowsOf<TaskRow>(
    ctx.tx,
    sql`${TASK_SELECT}
        where ${sql.join(conditions, sql` and `)} order by t.due_at, t.id limit ${query.limit + 1}`,
  );
  const keyOf = new Map(rows.map((r) => [r.id, r.dkey]));
  return pageFrom(rows.map(toTask), query.limit, (t) => [keyOf.get(t.id)!, t.id]);
}

/** A custom task on a lead the caller may work; consultants can only give tasks to themselves. */
export async function createTask(ctx: UseCaseContext, input: CreateTask): Promise<Task> {
  const lead = await loadLeadForWork(ctx, input.leadId, { forUpdate: true });
  let owner = input.ownerUserId ?? lead.ownerUserId ?? ctx.auth.userId;
  if (input.ownerUserId && input.ownerUserId !== ctx.auth.userId) {
    if (ctx.auth.scope === 'own') throw new AppError('FORBIDDEN', 'ownerUserId: you can only create tasks for yourself.');
    owner = (await getUserInScope(ctx.tx, ctx.auth, input.ownerUserId)).user.id;
  }
  if (!owner) throw invalid('ownerUserId', 'name who should do the task; the lead has no consultant yet.');
  return addTask(ctx.tx, ctx.auth.tenantId, {
    lead,
    type: 'custom',
    rule: null,
    title: input.title,
    dueAt: new Date(input.dueAt),
    ownerUserId: owner,
    createdBy: ctx.auth.userId,
  });
}

/** Marks an open task done. */
export async function completeTask(ctx: UseCaseContext, id: string): Promise<Task> {
  const [row] = await rowsOf<{ id: string; status: string; lead_id: string | null }>(
    ctx.tx,
    sql`select t.id, t.status, t.lead_id from tasks t
        where t.tenant_id = ${ctx.auth.tenantId}::uuid and t.id = ${id}::uuid and ${taskInScope(ctx.auth)} for update`,
  );
  if (!row) throw notFound('Task');
  if (row.status !== 'open') throw conflict(`status: the task is already ${row.status}.`, { rule: 'task_not_open', status: row.status });
  await ctx.tx.execute(sql`
    update tasks set status = 'done', done_at = now(), version = version + 1
    where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid`);
  if (row.lead_id)
    await ctx.tx.execute(sql`
      update leads set last_activity_at = greatest(last_activity_at, now()), updated_at = now()
      where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${row.lead_id}::uuid`);
  return taskById(ctx.tx, ctx.auth.tenantId, id);
}
