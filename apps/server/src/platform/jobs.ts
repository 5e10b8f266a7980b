import PgBoss from 'pg-boss';
import type { z } from 'zod';
import type { Database } from './db.js';
import type { Logger } from './logger.js';

/** A job is data: a name, a zod payload and a handler; optional cron schedule. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
  handler: (payload: z.infer<S>, deps: { database: Database; logger: Logger }) => Promise<void>;
  /** Cron expression (UTC) when the job runs on a schedule. */
  schedule?: string;
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

  constructor(
    private readonly database: Database,
    private readonly logger: Logger,
    private readonly registry: readonly JobDefinition[],
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
            await job.handler(payload, { database: this.database, logger: this.logger });
          }
        });
      }
    }
    this.started = true;
  }

  async send<S extends z.ZodType>(job: JobDefinition<S>, payload: z.infer<S>, opts: { singletonKey?: string } = {}) {
    return this.boss.send(job.name, job.payload.parse(payload) as object, opts);
  }

  /** Finishes in-flight handlers (up to `timeoutMs`) before it returns. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await this.boss.stop({ graceful: true, wait: true, close: false, timeout: timeoutMs });
  }

  get isStarted() {
    return this.started;
  }
}
