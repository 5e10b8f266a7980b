// Customer import, file to validated records (no database): a 1,000,000-row CSV like a dealer's CRM export,
// about 1 % of rows bad, read with readRows, mapped with suggestMapping's guess, validated with mapRow.
// `npm run bench -- import-parse [--rows N] [--keep]`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { mapRow } from '../apps/server/src/modules/imports/parse/map-row.js';
import { ImportMapping, suggestMapping } from '../apps/server/src/modules/imports/parse/mapping.js';
import { readRows } from '../apps/server/src/modules/imports/parse/read-rows.js';
import { writeCustomerCsv } from './_customer-csv.js';

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function main(args: string[] = []): Promise<void> {
  const rowsArg = args.indexOf('--rows');
  const rows = rowsArg >= 0 ? Number(args[rowsArg + 1]) : 1_000_000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fc-bench-import-'));
  const file = path.join(dir, 'customers.csv');
  try {
    await writeCustomerCsv(file, rows);
    const fileMb = round(fs.statSync(file).size / 2 ** 20);

    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    let mapping: ImportMapping | null = null;
    let read = 0;
    let ok = 0;
    let errors = 0;
    let skipped = 0;
    let peakRss = process.memoryUsage.rss();
    for await (const row of readRows({ path: file })) {
      if (!mapping) {
        mapping = ImportMapping.parse(suggestMapping(row.cells));
        continue;
      }
      read += 1;
      const result = mapRow(row.cells, mapping, row.line);
      if (result.ok === true) ok += 1;
      else if (result.ok === false) errors += 1;
      else skipped += 1;
      if (read % 20_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStarted);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());

    const result = {
      benchmark: 'import-parse',
      machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load ${os.loadavg()[0]?.toFixed(1)}`,
      fileMb,
      rows: read,
      ok,
      errors,
      skipped,
      seconds: round(seconds, 2),
      // CPU time of this process: what the figure would be on an idle core (other work may share the machine).
      cpuSeconds: round((cpu.user + cpu.system) / 1e6, 2),
      rowsPerSecond: Math.round(read / seconds),
      peakRssMb: round(peakRss / 2 ** 20),
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(
      `import-parse: ${read.toLocaleString('en')} rows (${fileMb} MB CSV) read, mapped and validated in ${result.seconds} s = ` +
        `${result.rowsPerSecond.toLocaleString('en')} rows/s (${result.cpuSeconds} s CPU); ${ok.toLocaleString('en')} ok, ${errors.toLocaleString('en')} with errors; peak RSS ${result.peakRssMb} MB`,
    );
  } finally {
    if (!args.includes('--keep')) fs.rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${file}`);
  }
}
