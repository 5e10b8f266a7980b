import type { IdentityType } from '@forecourt/contracts';
import type { Keys } from '../../platform/crypto.js';
import { nameSearchForms } from '../customers/name-search.js';
import type { FoundIdentity } from '../identity/extract-identities.js';
import { sealIdentity, toIdentityValue, type IdentityValue } from '../identity/identity-values.js';
import type { ImportMapping } from './parse/mapping.js';
import { mapRow, type ImportRecord, type RowError } from './parse/map-row.js';
import { readRows } from './parse/read-rows.js';

/** What the row preparation needs: plain data, so that it can run on a worker thread (prepare-worker.ts). */
export interface PrepareOptions {
  keys: Keys;
  sourceId: string;
  dryRun: boolean;
  /** Encrypt identity values here rather than inside the batch's transaction. */
  seal: boolean;
  path: string;
  format: 'csv' | 'xlsx';
  /** Data records already processed (the checkpoint): skipped. */
  skip: number;
  mapping: ImportMapping;
  size: number;
}

export interface PreparedRow {
  line: number;
  record: ImportRecord;
  messageId: string;
  identities: IdentityValue[];
  found: FoundIdentity[];
}

export interface PreparedBatch {
  /** Records of the file this batch consumed (good, bad, blank and repeated ones). */
  consumed: number;
  ok: PreparedRow[];
  errors: Array<{ line: number; errors: RowError[] }>;
  /** Rows repeated within this file (earlier in the batch; in a dry run, anywhere earlier). */
  repeated: number;
  /** Pinyin and initials of the batch's names, for the profiles' search columns. */
  nameForms: Map<string, ReturnType<typeof nameSearchForms>>;
}

/**
 * Reads, maps and validates the rows after the checkpoint, and computes what does not depend on the database
 * (blind indexes, sealed values, name search forms), a batch at a time.
 */
export async function* prepareBatches(opts: PrepareOptions): AsyncGenerator<PreparedBatch> {
  const { keys, sourceId, size } = opts;
  // A dry run writes no message ids, so rows repeated across batches are remembered here (48 bits of the fingerprint each).
  const seen = opts.dryRun ? new Set<number>() : null;
  let batch = newBatch();
  let inBatch = new Set<string>();
  let records = -1; // the header is record 0
  for await (const source of readRows({ path: opts.path, format: opts.format })) {
    records += 1;
    if (records === 0 || records <= opts.skip) continue;
    batch.consumed += 1;
    const result = mapRow(source.cells, opts.mapping, source.line, { fingerprintKey: keys.blindIndex });
    if (result.ok === false) batch.errors.push({ line: result.line, errors: result.errors });
    else if (result.ok === true) {
      const { record } = result;
      const messageId = `import:${sourceId}:${record.fingerprint}`;
      const short = seen ? Buffer.from(record.fingerprint.slice(0, 8), 'base64url').readUIntBE(0, 6) : 0;
      if (inBatch.has(messageId) || seen?.has(short)) batch.repeated += 1;
      else {
        inBatch.add(messageId);
        seen?.add(short);
        const found = record.identities
          .filter((i) => i.type !== 'vin')
          .map((i): FoundIdentity => {
            const type = i.type as IdentityType;
            return { type, value: i.value, scope: type === 'wechat_openid' ? (i.appId ?? null) : type === 'user_id' ? sourceId : null };
          });
        const identities = found.map((f) => toIdentityValue(keys, f.type, f.value, f.scope));
        if (opts.seal) for (const identity of identities) identity.sealed = sealIdentity(keys, identity);
        const name = record.traits.name;
        if (typeof name === 'string' && !batch.nameForms.has(name)) batch.nameForms.set(name, nameSearchForms(name));
        batch.ok.push({ line: source.line, record, messageId, identities, found });
      }
    }
    if (batch.consumed >= size) {
      yield batch;
      batch = newBatch();
      inBatch = new Set();
    }
  }
  if (batch.consumed > 0) yield batch;
}

const newBatch = (): PreparedBatch => ({ consumed: 0, ok: [], errors: [], repeated: 0, nameForms: new Map() });
