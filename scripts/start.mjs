#!/usr/bin/env node
// `npm start`: the one command of the README. Installs what is missing, builds the console once,
// then starts Forecourt on its embedded database and loads the demo tenant into an empty one.
import { spawnSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

if (!fs.existsSync(path.join(root, 'node_modules/.package-lock.json'))) {
  console.log('Installing dependencies (first start only)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}
if (!fs.existsSync(path.join(root, 'apps/web/dist/index.html')) || !fs.existsSync(path.join(root, 'packages/sdk/dist/forecourt.js'))) {
  console.log('Building the console and the tracking script (first start only)…');
  run('npm', ['run', 'build']);
}
const server = spawn(process.execPath, ['--import', 'tsx/esm', 'apps/server/src/cli.ts', 'start', '--seed-demo'], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
