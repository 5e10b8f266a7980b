import {
  CustomerFilters,
  LeadFilters,
  type CreateSavedView,
  type Permission,
  type SavedView,
  type SavedViewPage,
} from '@forecourt/contracts';
import { sql } from 'drizzle-orm';
import type { z } from 'zod';
import type { UseCaseContext } from '../../platform/context.js';
import { rowsOf } from '../../platform/db.js';
import { AppError, conflict, invalid, notFound } from '../../platform/errors.js';
import { uuidv7 } from '../../platform/ids.js';

/** Each list page: who may use it, and the schema its saved filters must pass. */
const PAGES: Record<SavedViewPage, { permission: Permission; filters: z.ZodType<Record<string, unknown>> }> = {
  customers: { permission: 'customers.read', filters: CustomerFilters },
  leads: { permission: 'leads.read', filters: LeadFilters },
};

/** Enough for any real desk; stops a script from filling the table. */
export const MAX_VIEWS_PER_PAGE = 50;

function pageFor(ctx: UseCaseContext, page: SavedViewPage) {
  const def = PAGES[page];
  if (!ctx.auth.permissions.has(def.permission))
    throw new AppError('FORBIDDEN', `page: your role cannot open the ${page} list, so it cannot save views of it.`);
  return def;
}

interface Row {
  id: string;
  page: SavedViewPage;
  name: string;
  filters: Record<string, unknown>;
  created_at: Date | string;
}
const toView = (r: Row): SavedView => ({
  id: r.id,
  page: r.page,
  name: r.name,
  filters: r.filters,
  createdAt: new Date(r.created_at).toISOString(),
});

/** The caller's own views of a page, oldest first (the order they were made in). */
export async function listSavedViews(ctx: UseCaseContext, page: SavedViewPage): Promise<SavedView[]> {
  pageFor(ctx, page);
  const rows = await rowsOf<Row>(
    ctx.tx,
    sql`select id, page, name, filters, created_at from saved_views
        where tenant_id = ${ctx.auth.tenantId}::uuid and user_id = ${ctx.auth.userId}::uuid and page = ${page}
        order by created_at, id`,
  );
  return rows.map(toView);
}

/** Saves filters under a name; the filters must be valid for the page, and names are unique per page. */
export async function createSavedView(ctx: UseCaseContext, input: CreateSavedView): Promise<SavedView> {
  const def = pageFor(ctx, input.page);
  const parsed = def.filters.safeParse(input.filters);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(['filters', ...issue.path.map(String)].join('.'), issue.message);
  }
  const filters = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined && v !== ''));
  if (Object.keys(filters).length === 0) throw invalid('filters', 'choose at least one filter before saving a view.');
  const existing = await listSavedViews(ctx, input.page);
  if (existing.some((v) => v.name === input.name)) throw conflict(`name: you already have a view called “${input.name}”.`);
  if (existing.length >= MAX_VIEWS_PER_PAGE) throw conflict(`page: at most ${MAX_VIEWS_PER_PAGE} saved views per list; delete one first.`);
  const [row] = await rowsOf<Row>(
    ctx.tx,
    sql`insert into saved_views (tenant_id, id, user_id, page, name, filters)
        values (${ctx.auth.tenantId}::uuid, ${uuidv7()}::uuid, ${ctx.auth.userId}::uuid, ${input.page}, ${input.name}, ${JSON.stringify(filters)}::jsonb)
        returning id, page, name, filters, created_at`,
  );
  return toView(row!);
}

/** Deletes one of the caller's own views; someone else's view is not found. */
export async function deleteSavedView(ctx: UseCaseContext, id: string): Promise<void> {
  const deleted = await rowsOf<{ id: string }>(
    ctx.tx,
    sql`delete from saved_views where tenant_id = ${ctx.auth.tenantId}::uuid and id = ${id}::uuid and user_id = ${ctx.auth.userId}::uuid returning id`,
  );
  if (deleted.length === 0) throw notFound('Saved view');
}
