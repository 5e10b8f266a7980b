import { analyzeGrownTables, embeddedAnalyzeJob } from './platform/analyze.js';
import type { Config } from './platform/config.js';
import { configurePasswordHashing, deriveKeys, type Keys } from './platform/crypto.js';
import { loadMasterKey, openDatabase, runMigrations, type Database } from './platform/db.js';
import { createHttpApp, type App, type DeclaredRoute } from './platform/http.js';
import { Jobs, type JobDefinition } from './platform/jobs.js';
import { createLogger, type Logger } from './platform/logger.js';
import { authenticateApiKey, authenticateSession } from './modules/auth/authenticate.js';
import { purgeExpiredSessions } from './modules/auth/jobs.js';
import { purgeMessageIdsJob } from './modules/ingest/jobs.js';
import { authRoutes } from './modules/auth/routes.js';
import { csrfTokenFor } from './modules/auth/sessions.js';
import { auditRoutes } from './modules/audit/routes.js';
import { healthRoutes } from './modules/health/routes.js';
import { orgRoutes } from './modules/org/routes.js';
import { customerRoutes } from './modules/customers/routes.js';
import { savedViewRoutes } from './modules/views/routes.js';
import { cdpSettingsRoutes } from './modules/identity/settings-routes.js';
import { duplicateScanJob } from './modules/identity/duplicates/job.js';
import { expireUploadsJob, importJob, resumeImports } from './modules/imports/job.js';
import { importRoutes } from './modules/imports/routes.js';
import { identityRoutes } from './modules/identity/routes.js';
import { ensureEventPartitions, Pipeline } from './modules/ingest/pipeline.js';
import { sourceRoutes, trackingRoutes } from './modules/ingest/routes.js';
import { WriteKeyCache } from './modules/ingest/write-keys.js';
import { configureNotificationDelivery, webhookDeliveryJob, wecomDeliveryJob } from './modules/notifications/jobs.js';
import { notificationRoutes } from './modules/notifications/routes.js';
import { claimTimeoutJob } from './modules/leads/claim-timeout.js';
import { leadIntakeRoutes } from './modules/leads/intake-routes.js';
import { leadImportRoutes } from './modules/leads/import-routes.js';
import { leadMappingRoutes } from './modules/leads/lead-mapping-routes.js';
import { leadRoutes } from './modules/leads/routes.js';
import { leadConfigRoutes } from './modules/leads/routing-routes.js';
import { slaSweepJob } from './modules/leads/sla.js';
import { leadLifecycleRoutes } from './modules/leads/lifecycle-routes.js';
import { taskOverdueJob } from './modules/leads/task-overdue-job.js';
import { dormancyJob } from './modules/leads/dormancy.js';

/** Every background job the process knows. */
export const JOBS: readonly JobDefinition[] = [
  purgeExpiredSessions as JobDefinition,
  purgeMessageIdsJob as JobDefinition,
  duplicateScanJob as JobDefinition,
  importJob as JobDefinition,
  expireUploadsJob as JobDefinition,
  webhookDeliveryJob as JobDefinition,
  wecomDeliveryJob as JobDefinition,
  slaSweepJob as JobDefinition,
  claimTimeoutJob as JobDefinition,
  taskOverdueJob as JobDefinition,
  dormancyJob as JobDefinition,
  embeddedAnalyzeJob as JobDefinition,
];

export interface Forecourt {
  app: App;
  routes: DeclaredRoute[];
  database: Database;
  keys: Keys;
  jobs: Jobs;
  pipeline: Pipeline;
  logger: Logger;
  close(): Promise<void>;
}

/** Open the database, migrate, build the HTTP app and (optionally) start the job workers. */
export async function createForecourt(
  config: Config,
  opts: { logger?: Logger; database?: Database; jobs?: boolean } = {},
): Promise<Forecourt> {
  const logger = opts.logger ?? createLogger(config.LOG_LEVEL);
  configurePasswordHashing(config.FORECOURT_PASSWORD_COST);
  configureNotificationDelivery(config);
  const database = opts.database ?? (await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir }));
  await runMigrations(database);
  const keys = deriveKeys(loadMasterKey(config.FORECOURT_MASTER_KEY, config.dataDir), config.FORECOURT_SESSION_SECRET);
  const policy = { idleMinutes: config.SESSION_IDLE_MINUTES, absoluteHours: config.SESSION_ABSOLUTE_HOURS };
  await ensureEventPartitions(database);
  await analyzeGrownTables(database); // embedded: data written by an earlier run (or a seed) gets statistics
  const jobs = new Jobs(database, logger, JOBS, keys);
  const runJobs = opts.jobs ?? config.FORECOURT_WORKERS;
  const writeKeys = new WriteKeyCache(database.db);
  const pipeline = new Pipeline(database, keys, logger, writeKeys, {
    concurrency: database.kind === 'postgres' ? (config.FORECOURT_PIPELINE_CONCURRENCY ?? 1) : 1,
    batchSize: config.FORECOURT_PIPELINE_BATCH,
  });

  const { app, routes } = await createHttpApp({
    config,
    logger,
    database,
    keys,
    ready: async () => {
      await database.raw.query('select 1');
      return !runJobs || jobs.isStarted;
    },
    authenticate: {
      session: (token) => authenticateSession(database.db, token, policy),
      apiKey: (key) => authenticateApiKey(database.db, key),
      csrfToken: (sessionId) => csrfTokenFor(keys, sessionId),
    },
    registerRoutes: async (a, services) => {
      const ingest = { ...services, pipeline, writeKeys };
      healthRoutes(a, services);
      authRoutes(a, services);
      orgRoutes(a, services);
      auditRoutes(a, services);
      sourceRoutes(a, ingest);
      customerRoutes(a, ingest);
      savedViewRoutes(a, services);
      cdpSettingsRoutes(a, services);
      identityRoutes(a, services);
      await trackingRoutes(a, ingest);
      await importRoutes(a, { ...services, jobs });
      notificationRoutes(a, { ...services, jobs });
      leadRoutes(a, services);
      leadConfigRoutes(a, services);
      leadLifecycleRoutes(a, services);
      await leadIntakeRoutes(a, ingest);
      await leadImportRoutes(a, services);
      leadMappingRoutes(a, services);
    },
  });
  if (runJobs) {
    await jobs.start({ work: true });
    pipeline.start();
    await resumeImports(database, jobs, logger);
  } else pipeline.startFlushing();

  let closed = false;
  return {
    app,
    routes,
    database,
    keys,
    jobs,
    pipeline,
    logger,
    async close() {
      if (closed) return;
      closed = true;
      await app.close(); // stops accepting, lets in-flight requests finish
      await pipeline.stop(); // finishes the batch in flight
      await jobs.stop();
      await database.close();
    },
  };
}
