import { sql } from 'drizzle-orm';

/**
 * A UUIDv7 made by the database (RFC 9562 layout: 48-bit Unix ms, version 7, variant 10), for rows
 * an `insert … select` fans out, whose count the caller does not know in advance.
 */
export const sqlUuidv7 = sql`encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

/** A text[] parameter; drizzle would spread a JS array into a parenthesised list. */
export function textArray(values: readonly string[]) {
  return values.length === 0
    ? sql`'{}'::text[]`
    : sql`array[${sql.join(
        values.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`;
}
