import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiKeyScope, Password, ROLE_LABELS, ROLE_MATRIX, PERMISSION_LABELS, Permission, Role } from '@forecourt/contracts';
import { Command, Option } from 'commander';
import { and, eq } from 'drizzle-orm';
import { createForecourt } from './app.js';
import { CONFIG_DOCS, ConfigError, loadConfig, type Config } from './platform/config.js';
import { configurePasswordHashing, deriveKeys } from './platform/crypto.js';
import { analyzeGrownTables } from './platform/analyze.js';
import { loadMasterKey, openDatabase, runMigrations, withTenant, type Database } from './platform/db.js';
import { AppError } from './platform/errors.js';
import { createLogger } from './platform/logger.js';
import { uuidv7 } from './platform/ids.js';
import { createApiKey, revokeApiKey } from './modules/auth/api-keys.js';
import { apiKeys } from './modules/auth/schema.js';
import { systemContext } from './modules/auth/system-context.js';
import { orgUnits, tenants, users } from './modules/org/schema.js';
import { createUser, resetUserPassword } from './modules/org/users.js';
import { DEMO_LOGINS, DEMO_PASSWORD, DEMO_TENANT, seedDemo } from './seed/demo.js';
import { countDemoLeads, seedDemoLeads } from './seed/demo-leads.js';
import type { UseCaseContext } from './platform/context.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function envHelp(): string {
  const width = Math.max(...Object.keys(CONFIG_DOCS).map((k) => k.length));
  return `\nEnvironment variables:\n${Object.entries(CONFIG_DOCS)
    .map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)
    .join('\n')}\n`;
}

async function withDatabase<T>(fn: (database: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  configurePasswordHashing(config.FORECOURT_PASSWORD_COST);
  const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.dataDir });
  try {
    await runMigrations(database);
    return await fn(database, config);
  } finally {
    await database.close();
  }
}

function keysFor(config: Config) {
  return deriveKeys(loadMasterKey(config.FORECOURT_MASTER_KEY, config.dataDir), config.FORECOURT_SESSION_SECRET);
}

async function asOperator<T>(tenant: string, fn: (ctx: UseCaseContext) => Promise<T>): Promise<T> {
  return withDatabase(async (database, config) => {
    const auth = await systemContext(database.db, tenant);
    return withTenant(database.db, auth.tenantId, (tx) =>
      fn({ tx, auth, keys: keysFor(config), meta: { ip: null, userAgent: 'forecourt-cli' } }),
    );
  });
}

function printDemoLogins(baseUrl: string) {
  console.log(`\nForecourt is ready: ${baseUrl}\nDemo tenant "${DEMO_TENANT}", password for every demo user: ${DEMO_PASSWORD}`);
  for (const l of DEMO_LOGINS) console.log(`  ${l.login.padEnd(16)} ${ROLE_LABELS[l.role].zh} / ${ROLE_LABELS[l.role].en} — ${l.unit}`);
  console.log('  (every store has <code>.manager, .sales1-3, .dcc, .service, e.g. pek01.sales2)\n');
}

const program = new Command('forecourt')
  .description('Forecourt — customer platform for automotive retail')
  .addHelpText('after', envHelp())
  .showHelpAfterError();

program
  .command('start')
  .description('migrate, then serve the API, the console and the job workers')
  .option('--seed-demo', 'load the demo tenant when the database has no tenant yet')
  .option('--demo-leads <n>', 'with --seed-demo: how many leads of 90-day sales history to generate', '2400')
  .addHelpText('after', envHelp())
  .action(async (opts: { seedDemo?: boolean; demoLeads: string }) => {
    const started = performance.now();
    const config = loadConfig();
    const logger = createLogger(config.LOG_LEVEL);
    const fc = await createForecourt(config, { logger });
    let seeded = false;
    if (opts.seedDemo) {
      const [any] = await fc.database.db.select({ id: tenants.id }).from(tenants).limit(1);
      if (!any) seeded = (await seedDemo(fc.database, fc.keys)).created;
      if (seeded) await seedDemoLeads(fc.database, fc.keys, { leads: wholeNumber(opts.demoLeads, '--demo-leads') });
      if (seeded) await analyzeGrownTables(fc.database);
    }
    const address = await fc.app.listen({ port: config.PORT, host: config.HOST });
    logger.info({ address, database: fc.database.kind, readyMs: Math.round(performance.now() - started) }, 'forecourt ready');
    const [demo] = await fc.database.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.code, DEMO_TENANT));
    if (demo) printDemoLogins(address.replace('127.0.0.1', 'localhost'));
    if (seeded) logger.info('demo data loaded');
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down: finishing in-flight requests and jobs');
      const force = setTimeout(() => process.exit(1), 30_000);
      force.unref();
      await fc.close();
      logger.info('stopped');
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  });

program
  .command('migrate')
  .description('apply pending database migrations and exit')
  .action(() => withDatabase(async (database) => console.log(`migrations applied (${database.kind})`)));

program
  .command('seed')
  .description('load data into the database')
  .requiredOption('--demo', 'the demo tenant (星驰汽车) with its org tree, users and 90 days of leads')
  .option('--scale <n>', 'add this many leads (with their history) to the demo tenant, e.g. for benchmarks')
  .action((o: { scale?: string }) =>
    withDatabase(async (database, config) => {
      const keys = keysFor(config);
      const result = await seedDemo(database, keys);
      console.log(
        result.created
          ? `demo tenant created: ${result.units} org units, ${result.users} users`
          : 'demo tenant already exists; org and users unchanged',
      );
      const count = o.scale !== undefined ? wholeNumber(o.scale, '--scale') : result.created ? 2400 : 0;
      if (count > 0) {
        const started = performance.now();
        const leads = await seedDemoLeads(database, keys, { leads: count, firstIndex: await countDemoLeads(database) });
        console.log(
          `${leads.leads} leads added (${leads.delivered} delivered, ${leads.lost} lost, ${leads.open} open) in ${Math.round((performance.now() - started) / 1000)} s`,
        );
      }
    }),
  );

function wholeNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100_000_000)
    throw new AppError('VALIDATION_FAILED', `${flag}: a whole number from 0 to 100,000,000`);
  return n;
}

program
  .command('tenant:create')
  .description('create a tenant with its head office and first OEM admin')
  .requiredOption('--code <code>', 'short tenant code users type at login, e.g. acme')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--admin-login <login>', 'login of the first administrator')
  .requiredOption('--admin-password <password>', 'their initial password (10+ characters, letters and digits)')
  .option('--time-zone <tz>', 'IANA time zone', 'Asia/Shanghai')
  .action((o: { code: string; name: string; adminLogin: string; adminPassword: string; timeZone: string }) =>
    withDatabase(async (database, config) => {
      const code = o.code.toLowerCase();
      if (!/^[a-z0-9-]{2,32}$/.test(code)) throw new AppError('VALIDATION_FAILED', '--code: 2–32 lowercase letters, digits or -');
      const tenantId = uuidv7();
      const hqId = uuidv7();
      await database.db.transaction(async (tx) => {
        await tx.insert(tenants).values({ id: tenantId, code, name: o.name, timeZone: o.timeZone });
        await tx.insert(orgUnits).values({
          tenantId,
          id: hqId,
          path: `/${hqId}/`,
          type: 'hq',
          code: 'HQ',
          nameZh: '总部',
          nameEn: 'Head office',
          timeZone: o.timeZone,
        });
      });
      const auth = await systemContext(database.db, code);
      await withTenant(database.db, tenantId, (tx) =>
        createUser(
          { tx, auth, keys: keysFor(config), meta: { ip: null, userAgent: 'forecourt-cli' } },
          { login: o.adminLogin, displayName: o.adminLogin, role: 'oem_admin', orgUnitId: hqId, password: o.adminPassword },
        ),
      );
      console.log(`tenant ${code} created with administrator ${o.adminLogin}`);
    }),
  );

program
  .command('user:create')
  .description('create a user')
  .requiredOption('--tenant <code>', 'tenant code')
  .requiredOption('--login <login>', 'login')
  .requiredOption('--name <name>', 'display name')
  .addOption(new Option('--role <role>', 'role').choices(Role.options).makeOptionMandatory())
  .requiredOption('--unit <code>', 'org unit code, e.g. SHA01')
  .requiredOption('--password <password>', 'initial password')
  .option('--phone <phone>', 'mobile number (stored encrypted)')
  .action((o: { tenant: string; login: string; name: string; role: Role; unit: string; password: string; phone?: string }) =>
    asOperator(o.tenant, async (ctx) => {
      const [unit] = await ctx.tx
        .select({ id: orgUnits.id })
        .from(orgUnits)
        .where(and(eq(orgUnits.tenantId, ctx.auth.tenantId), eq(orgUnits.code, o.unit)));
      if (!unit) throw new AppError('NOT_FOUND', `--unit: no org unit with code ${o.unit}.`);
      const user = await createUser(ctx, {
        login: o.login,
        displayName: o.name,
        role: o.role,
        orgUnitId: unit.id,
        password: o.password,
        phone: o.phone ?? null,
      });
      console.log(`user ${user.login} created (${user.role}, ${user.orgUnitName})`);
    }),
  );

program
  .command('user:reset-password')
  .description("set a user's password, unlock them and sign them out everywhere")
  .requiredOption('--tenant <code>', 'tenant code')
  .requiredOption('--login <login>', 'login')
  .requiredOption('--password <password>', 'new password')
  .action((o: { tenant: string; login: string; password: string }) =>
    asOperator(o.tenant, async (ctx) => {
      const checked = Password.safeParse(o.password);
      if (!checked.success) throw new AppError('PASSWORD_POLICY', `--password: ${checked.error.issues[0]?.message ?? 'too weak'}`);
      const [user] = await ctx.tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.tenantId, ctx.auth.tenantId), eq(users.login, o.login.toLowerCase())));
      if (!user) throw new AppError('NOT_FOUND', `--login: no user ${o.login}.`);
      await resetUserPassword(ctx, user.id, o.password);
      console.log(`password of ${o.login} reset`);
    }),
  );

program
  .command('key:create')
  .description('create an API key; the secret is printed once')
  .requiredOption('--tenant <code>', 'tenant code')
  .requiredOption('--name <name>', 'what the key is for')
  .requiredOption('--scopes <scopes>', `comma-separated: ${ApiKeyScope.options.join(', ')}`)
  .option('--expires <iso>', 'expiry time, ISO 8601')
  .action((o: { tenant: string; name: string; scopes: string; expires?: string }) =>
    asOperator(o.tenant, async (ctx) => {
      const scopes = o.scopes.split(',').map((s) => s.trim());
      const parsed = scopes.map((s) => ApiKeyScope.safeParse(s));
      const bad = scopes.filter((_, i) => !parsed[i]!.success);
      if (bad.length)
        throw new AppError('VALIDATION_FAILED', `--scopes: unknown scope ${bad.join(', ')}; allowed: ${ApiKeyScope.options.join(', ')}`);
      const key = await createApiKey(ctx, { name: o.name, scopes: scopes as ApiKeyScope[], expiresAt: o.expires ?? null });
      console.log(`API key ${key.prefix} created. Store it now; it is not shown again:\n${key.key}`);
    }),
  );

program
  .command('key:revoke')
  .description('revoke an API key by its prefix')
  .requiredOption('--tenant <code>', 'tenant code')
  .requiredOption('--prefix <prefix>', 'the fc_xxxxxxxxxx prefix')
  .action((o: { tenant: string; prefix: string }) =>
    asOperator(o.tenant, async (ctx) => {
      const [key] = await ctx.tx
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.tenantId, ctx.auth.tenantId), eq(apiKeys.prefix, o.prefix)));
      if (!key) throw new AppError('NOT_FOUND', `--prefix: no API key ${o.prefix}.`);
      await revokeApiKey(ctx, key.id);
      console.log(`API key ${o.prefix} revoked`);
    }),
  );

program
  .command('docs:permissions')
  .description('regenerate docs/permissions.md from the permission matrix')
  .action(() => {
    const file = path.join(ROOT, 'docs/permissions.md');
    fs.writeFileSync(file, permissionsMarkdown());
    console.log(`wrote ${path.relative(process.cwd(), file)}`);
  });

export function permissionsMarkdown(): string {
  const roles = Role.options;
  const head = `| permission | ${roles.map((r) => `${ROLE_LABELS[r].en}<br>${ROLE_LABELS[r].zh}`).join(' | ')} |`;
  const sep = `|---|${roles.map(() => ':-:').join('|')}|`;
  const scope = `| *data scope* | ${roles.map((r) => ROLE_MATRIX[r].scope).join(' | ')} |`;
  const rows = Permission.options.map(
    (p) => `| \`${p}\` ${PERMISSION_LABELS[p].en} | ${roles.map((r) => (ROLE_MATRIX[r].permissions.includes(p) ? '✓' : '')).join(' | ')} |`,
  );
  return `# Permissions\n\nGenerated from \`packages/contracts/src/permissions.ts\` by \`npm run docs:permissions\`; a test fails when this file is stale.\n\nData scope: **tenant** = the whole tenant; **subtree** = the user's org unit and everything below it; **own** = records assigned to the user (org reference data: their store).\nEvery route declares its permission (or \`public\` / \`authenticated\`); out-of-scope records answer 404.\n\n${[head, sep, scope, ...rows].join('\n')}\n`;
}

const isMain = process.argv[1] && /cli\.(ts|js)$|forecourt(\.mjs)?$/.test(process.argv[1]);
if (isMain) {
  program.parseAsync(process.argv).catch((err: unknown) => {
    if (err instanceof ConfigError || err instanceof AppError) {
      console.error(err instanceof AppError ? err.userMessage : err.message);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });
}
