import PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Keys } from './crypto.js';
import type { Database } from './db.js';
import type { Logger } from './logger.js';

/** What a job handler gets. */
export interface JobDeps {
  database: Database;
  logger: Logger;
  keys: Keys;
}

/** A job is data: a name, a zod payload and a handler; optional cron schedule. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  handler: (payload: z.infer<S>, deps: JobDeps) => Promise<void>;
  /** Cron expression (UTC) when the job runs on a schedule. */
  schedule?: string;
  /** How long one run may take before pg-boss counts it as failed (default 15 minutes), and how often it is retried. */
  expireInSeconds?: number;
  retryLimit?: number;
}

export function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job;
}

/**
 * pg-boss on either driver. On PGlite it talks through `raw`: parameterless SQL may hold several
 * statements (pg-boss's install script), which only `exec` accepts.
 */
export class Jobs {
  private boss: PgBoss;
  private started = false;
  private starting: Promise<void> | null = null;

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly registry: readonly JobDefinition[],
    private readonly keys: Keys,
  ) {
    const raw = database.raw;
    const db = {
      executeSql: async (text: string, values?: unknown[]) => {
        if (database.kind === 'pglite' && (!values || values.length === 0)) {
          return raw.exec(text);
        }
        return raw.query(text, values);
      },
    };
    this.boss = new PgBoss({ db, schema: 'pgboss', supervise: true, schedule: true, migrate: true });
    this.boss.on('error', (err) => logger.error({ err }, 'job system error'));
  }

  async start(opts: { work: boolean }): Promise<void> {
    await this.boss.start();
    for (const job of this.registry) {
      await this.boss.createQueue(job.name);
      if (job.schedule) await this.boss.schedule(job.name, job.schedule, {});
      if (opts.work) {
        await this.boss.work(job.name, { pollingIntervalSeconds: 2 }, async (batch) => {
          for (const item of batch) {
            const payload = job.payload.parse(item.data ?? {});
            await job.handler(payload, { database: this.database, logger: this.logger, keys: this.keys });
          }
        });
      }
    }
    this.started = true;
  }

  /** Queues a job. A process that runs no workers (FORECOURT_WORKERS=false) starts pg-boss on first use, to send only. */
  async send<S extends z.ZodType>(job: JobDefinition<S>, payload: z.infer<S>, opts: { singletonKey?: string } = {}) {
    if (!this.started) {
      this.starting ??= this.start({ work: false });
      await this.starting;
    }
    const limits = {
      ...(job.expireInSeconds ? { expireInSeconds: job.expireInSeconds } : {}),
      ...(job.retryLimit !== undefined ? { retryLimit: job.retryLimit } : {}),
    };
    return this.boss.send(job.name, job.payload.parse(payload) as object, { ...limits, ...opts });
  }

  /** Finishes in-flight handlers (up to `timeoutMs`) before it returns. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    if (!this.started) return;
    this.started = false;
    this.starting = null;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
  }

  get isStarted() {
    return this.started;
  }
}
