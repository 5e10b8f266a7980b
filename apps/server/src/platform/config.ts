import path from 'node:path';
import { z } from 'zod';

/** Keys whose values must never reach a log line or an error message. */
export const SECRET_KEYS = new Set(['DATABASE_URL', 'FORECOURT_MASTER_KEY', 'FORECOURT_SESSION_SECRET']);

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** Every environment variable Forecourt reads, with its meaning. `forecourt --help` prints this table. */
export const CONFIG_DOCS: Record<string, string> = {
  PORT: 'HTTP port (default 3000)',
  HOST: 'interface to listen on (default 127.0.0.1; 0.0.0.0 to expose)',
  FORECOURT_DATA_DIR: 'embedded database and key files (default ./data)',
  DATABASE_URL: 'postgres://… to use PostgreSQL ≥ 15 instead of the embedded database',
  FORECOURT_MASTER_KEY: '64 hex characters (32 bytes) for personal-data encryption; default: a key file in the data directory',
  FORECOURT_SESSION_SECRET: 'at least 32 characters for session and CSRF tokens; default: derived from the master key',
  LOG_LEVEL: 'fatal | error | warn | info | debug | trace | silent (default info)',
  SESSION_IDLE_MINUTES: 'sign out after this many idle minutes (default 120)',
  SESSION_ABSOLUTE_HOURS: 'sign out this many hours after login, active or not (default 12)',
  TRUST_PROXY: 'true when behind a reverse proxy that sets X-Forwarded-* (default false); cookies become Secure on HTTPS',
  FORECOURT_WORKERS: 'run background jobs in this process (default true)',
  FORECOURT_PASSWORD_COST:
    'scrypt cost as log2(N), 13–20 (default 14 ≈ 40 ms a login on 2 cores; OWASP recommends 17); hashes upgrade at next login',
  FORECOURT_IMPORT_MAX_MB: 'largest customer import file accepted, in MiB (default 1024); uploads wait in <data dir>/imports',
  FORECOURT_PIPELINE_CONCURRENCY: 'tracking batches processed at once by this process on PostgreSQL (default 1; PGlite always 1)',
  FORECOURT_PIPELINE_BATCH:
    "tracking messages per pipeline batch, 100–10000 (default 1000); larger drains a backlog faster but locks the tenant's resolution while it runs (docs/OPERATIONS.md)",
  FORECOURT_WEBHOOK_RETRY_SECONDS:
    'seconds between webhook delivery attempts, comma-separated (default 30,120,600,3600,21600: six attempts, then the delivery is dead); ±20 % jitter',
  FORECOURT_WEBHOOK_TIMEOUT_MS: 'how long one webhook request may take before it counts as failed (default 5000)',
  FORECOURT_WEBHOOK_PRIVATE_NETWORKS:
    'deny (default): webhooks never call loopback, private or link-local addresses; allow: for receivers inside your own network',
  WECOM_MODE:
    'WeCom app messages: sandbox (default and, for now, the only mode: messages are recorded and shown in the console, nothing is sent)',
};

export const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  FORECOURT_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// URL')
    .optional(),
  FORECOURT_MASTER_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, '64 hexadecimal characters (32 bytes)')
    .optional(),
  FORECOURT_SESSION_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_IDLE_MINUTES: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(120),
  SESSION_ABSOLUTE_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  TRUST_PROXY: bool.default(false),
  FORECOURT_WORKERS: bool.default(true),
  FORECOURT_PASSWORD_COST: z.coerce.number().int().min(13).max(20).default(14),
  FORECOURT_IMPORT_MAX_MB: z.coerce.number().int().min(1).max(100_000).default(1024),
  /** Tracking batches processed at once by this process on PostgreSQL (PGlite has one connection: always 1). */
  FORECOURT_PIPELINE_CONCURRENCY: z.coerce.number().int().min(1).max(16).optional(),
  /** Tracking messages per pipeline batch (see OPERATIONS.md for the trade-off against lead intake latency). */
  FORECOURT_PIPELINE_BATCH: z.coerce.number().int().min(100).max(10_000).default(1000),
  FORECOURT_WEBHOOK_RETRY_SECONDS: z
    .string()
    .regex(/^\d+(,\d+){0,19}$/, 'comma-separated whole seconds, at most 20')
    .default('30,120,600,3600,21600')
    .transform((v) => v.split(',').map(Number)),
  FORECOURT_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  FORECOURT_WEBHOOK_PRIVATE_NETWORKS: z.enum(['allow', 'deny']).default('deny'),
  WECOM_MODE: z.enum(['sandbox']).default('sandbox'),
});

export type Config = z.infer<typeof ConfigSchema> & { dataDir: string };

export class ConfigError extends Error {}

/** Parse the environment once. A bad value throws a ConfigError whose message names the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input: Record<string, string> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = ConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue?.path[0] ?? 'environment');
    const shown = SECRET_KEYS.has(key) ? '(value hidden)' : JSON.stringify(input[key]);
    throw new ConfigError(`Invalid configuration: ${key} ${shown} is not valid; expected ${expectation(key, issue?.message)}.`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.FORECOURT_DATA_DIR) };
}

function expectation(key: string, zodMessage: string | undefined): string {
  const doc = CONFIG_DOCS[key];
  return doc ? `${doc}${zodMessage ? ` — ${zodMessage}` : ''}` : (zodMessage ?? 'a valid value');
}
