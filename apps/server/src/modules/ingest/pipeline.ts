import { sql } from 'drizzle-orm';
import type { Keys } from '../../platform/crypto.js';
import type { Database } from '../../platform/db.js';
import type { Logger } from '../../platform/logger.js';
import { SourceCounters } from './counters.js';
import { processInboundBatch } from './process-inbound.js';
import type { WriteKeyCache } from './write-keys.js';

/**
 * The processing loop of this process: drains the inbound log in batches while there is work,
 * sleeps when there is none, wakes at once when a request of this process acknowledges messages.
 * Also flushes counters and key last-used times once a second.
 */
export class Pipeline {
  readonly counters = new SourceCounters();
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly wakers = new Set<() => void>();
  private flusher: NodeJS.Timeout | null = null;

  constructor(
    private readonly database: Database,
    private readonly keys: Keys,
    private readonly logger: Logger,
    private readonly writeKeys: WriteKeyCache,
    /** concurrency: batches in flight at once, each on its own connection (SKIP LOCKED keeps them apart). */
    private readonly opts: { batchSize?: number; idleMs?: number; concurrency?: number } = {},
  ) {}

  /** Counters and last-used times only; the processing loop runs where workers run. */
  startFlushing(): void {
    if (this.flusher) return;
    this.flusher = setInterval(() => void this.flush(), 1000);
    this.flusher.unref();
  }

  start(): void {
    this.startFlushing();
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: this.opts.concurrency ?? 1 }, () => this.run());
  }

  nudge(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /** Drain until the log is empty (tests, imports, benchmarks). */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await processInboundBatch(this.database, this.keys, this.counters, this.opts.batchSize ?? 1000);
      total += n;
      if (n === 0) break;
    }
    await this.flush();
    return total;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let n = 0;
      try {
        n = await processInboundBatch(this.database, this.keys, this.counters, this.opts.batchSize ?? 1000);
      } catch (err) {
        this.logger.error({ err }, 'inbound batch failed; it stays in the log and is retried');
        await this.sleep(1000);
        continue;
      }
      if (n === 0) await this.sleep(this.opts.idleMs ?? 500);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(t);
        this.wakers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  async flush(): Promise<void> {
    try {
      await this.counters.flush(this.database.db);
      await this.writeKeys.flushLastUsed();
    } catch (err) {
      this.logger.warn({ err }, 'could not write source counters');
    }
  }

  /** Finish the batch in flight, then write the counters. */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await Promise.all(this.loops);
    if (this.flusher) clearInterval(this.flusher);
    this.flusher = null;
    await this.flush();
  }
}

/** Monthly event partitions from a year back to three months ahead; idempotent, run at start and daily. */
export async function ensureEventPartitions(database: Database, now = new Date()): Promise<void> {
  for (let offset = -12; offset <= 3; offset++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1)).toISOString().slice(0, 10);
    // Another process may be creating the same month at this moment; the next run catches up.
    await database.db.execute(sql`select forecourt_ensure_event_partition(${month}::date)`).catch(() => undefined);
  }
}
