import { sql, type SQL } from 'drizzle-orm';

/**
 * `= any(…)` over a uuid[] parameter: the planner turns it into an index condition whatever its statistics say.
 * (`in (select jsonb_array_elements_text(…))` made PGlite, which never runs autovacuum or ANALYZE, plan nested
 * loops over whole tables.) The ids come from the database or a validated route parameter: uuids, safe in an
 * array literal.
 */
export function anyUuid(ids: readonly string[]): SQL {
  return sql`any(${`{${ids.join(',')}}`}::uuid[])`;
}

/** A text[] parameter as one array literal; for values without quotes or backslashes (uuids, hashed keys). */
export function textArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${v}"`).join(',')}}`;
}

/** Rows (a, b) from two uuid lists, for `(x, y) in (select …)`. */
export function uuidPairs(pairs: readonly { a: string; b: string }[]): SQL {
  const a = `{${pairs.map((p) => p.a).join(',')}}`;
  const b = `{${pairs.map((p) => p.b).join(',')}}`;
  return sql`select * from unnest(${a}::uuid[], ${b}::uuid[])`;
}
