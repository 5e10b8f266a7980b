import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cli.ts');

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info', SESSION_IDLE_MINUTES: 120 });
    expect(path.isAbsolute(c.dataDir)).toBe(true);
  });

  it('a bad value names the variable and what is expected', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^Invalid configuration: PORT "eighty" is not valid; expected HTTP port/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(loadConfig({}).FORECOURT_PIPELINE_BATCH).toBe(1000);
    expect(loadConfig({ FORECOURT_PIPELINE_BATCH: '5000' }).FORECOURT_PIPELINE_BATCH).toBe(5000);
    expect(() => loadConfig({ FORECOURT_PIPELINE_BATCH: '50000' })).toThrow(/FORECOURT_PIPELINE_BATCH/);
  });

  it('never echoes a secret value', () => {
    let message = '';
    try {
      loadConfig({ FORECOURT_MASTER_KEY: 'hunter2-not-hex' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/FORECOURT_MASTER_KEY \(value hidden\)/);
    expect(message).not.toContain('hunter2');
  });

  it('the CLI exits non-zero with one sentence on a bad value, and --help lists commands and variables', () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx/esm', CLI, 'start'], {
      env: { ...process.env, PORT: '99999' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/PORT "99999" is not valid/);
    const help = spawnSync(process.execPath, ['--import', 'tsx/esm', CLI, '--help'], { encoding: 'utf8', timeout: 30_000 });
    for (const word of [
      'start',
      'migrate',
      'seed',
      'user:create',
      'user:reset-password',
      'key:create',
      'key:revoke',
      'DATABASE_URL',
      'FORECOURT_MASTER_KEY',
    ]) {
      expect(help.stdout).toContain(word);
    }
  });
});
