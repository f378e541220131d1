import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { repositoryRoot } from '../../functions/shared/assets';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { applyBatch } from '../../functions/csv-processor/apply-batch';
import {
  CSV_HEADER,
  LOGIN_COUNT_COLUMN,
  POST_COUNT_COLUMN,
  USER_ID_COLUMN,
  type MapItem,
} from '../../functions/csv-processor/contract';
import { migrateDatabase } from '../../functions/shared/migrations';
import { CsvScanner } from '../../functions/csv-validator/csv-scanner';
import { countsFor, userId } from '../local/fixtures/csv-user-log';
import { localNames, prepareCsvProcessor, seedUsers } from '../local/pipelines/csv-processor';
import { bundleBenchChild } from './child';

/**
 * `npm run bench -- csv-processor [--rows 1000000] [--per-row-sample 20000] [--audit-sample 50000]`
 *
 * In one run, on this machine, against the same table:
 * - ceiling: a plain COPY of the rows into user_statistics (keys and FK in place);
 * - the processor stage as deployed: batches of 500 through applyBatch (one statement
 *   each), 5 at a time, each worker with its own connection as separate Lambdas have;
 *   first apply (inserts) and re-apply with new totals (updates), audit of successful
 *   rows off; then with audit on, on a sample (the local DynamoDB is the bottleneck);
 * - the original design: one UPDATE per row in its own transaction, on a sample;
 * - the validator's peak RSS streaming the whole file (bundled as Lambda runs it).
 * Goals: processor ≥ 0.5× COPY, ≥ 40× per-row; validator RSS < 150 MB at 1M rows.
 */
const exec = promisify(execFile);

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}

async function writeFile(path: string, rows: number, generation: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${CSV_HEADER.join(',')}\n`);
  let chunk = '';
  for (let n = 1; n <= rows; n++) {
    const [login, posts] = countsFor(n, generation);
    chunk += `${userId(n)},${login},${posts}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

/** The map's view of a file: items as ItemReader + ItemSelector build them, in batches. */
async function readBatches(path: string, size: number): Promise<MapItem[][]> {
  const batches: MapItem[][] = [];
  let current: MapItem[] = [];
  let index = -1;
  const scanner = new CsvScanner((record) => {
    if (index++ < 0) return;
    const [id, login, posts] = record.fields as [string, string, string];
    current.push({
      index: index - 1,
      row: { [USER_ID_COLUMN]: id, [LOGIN_COUNT_COLUMN]: login, [POST_COUNT_COLUMN]: posts },
    });
    if (current.length === size) {
      batches.push(current);
      current = [];
    }
  });
  const decoder = new TextDecoder();
  for await (const chunk of createReadStream(path))
    scanner.push(decoder.decode(chunk as Buffer, { stream: true }));
  scanner.end();
  if (current.length > 0) batches.push(current);
  return batches;
}

async function runProcessor(
  databaseUrl: string,
  batches: MapItem[][],
  concurrency: number,
  audit: { table: string; success: boolean } | null,
) {
  const pools = Array.from(
    { length: concurrency },
    () => new pg.Pool({ connectionString: databaseUrl, max: 1 }),
  );
  const batchInput = {
    executionName: `bench-${randomBytes(3).toString('hex')}`,
    executionArn: 'arn:bench',
    startTime: new Date().toISOString(),
    sourceKey: 'incoming/bench.csv',
  };
  let next = 0;
  let failed = 0;
  try {
    await Promise.all(
      pools.map(async (pool) => {
        while (next < batches.length) {
          const items = batches[next++]!;
          const outcome = await applyBatch(
            { batchInput, items },
            { pool, auditTable: audit?.table ?? 'unused', auditSuccess: audit?.success ?? false },
          );
          failed += outcome.failed;
        }
      }),
    );
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
  if (failed > 0) throw new Error(`${failed} rows failed in the benchmark`);
}

async function copyRows(client: pg.Client, path: string): Promise<void> {
  const sink = client.query(
    copyFrom(`COPY user_statistics (user_id, login_count, post_count) FROM STDIN (FORMAT csv, HEADER true)`),
  );
  await pipeline(createReadStream(path), sink);
}

/** Bundles the validator as the Lambda build does and streams the file through it in a fresh process. */
async function validatorPeakRss(
  dir: string,
  file: string,
): Promise<{ rssMb: number; baselineMb: number; rows: number; seconds: number }> {
  const root = repositoryRoot();
  const outfile = join(dir, 'validate-file.mjs');
  await bundleBenchChild(
    outfile,
    {
      stdin: {
        contents: `
        import { createReadStream, readFileSync } from 'node:fs';
        import { validateCsv } from './functions/csv-validator/validate';
        // VmHWM (peak RSS) belongs to this program's address space; getrusage's maxRSS
        // would carry over the forking parent's peak across exec on Linux.
        const rss = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
        if (process.argv[2] === '--baseline') { console.log(JSON.stringify({ rssMb: rss() })); }
        else {
          const started = performance.now();
          const result = await validateCsv(() => createReadStream(process.argv[2], { highWaterMark: 1 << 20 }), { openNormalizedSink: undefined });
          console.log(JSON.stringify({ rssMb: rss(), rows: result.rowCount, valid: result.isValid, seconds: (performance.now() - started) / 1000 }));
        }`,
        resolveDir: root,
        loader: 'ts',
      },
    },
    { requireBanner: false },
  );
  const run = async (arg: string) =>
    JSON.parse((await exec(process.execPath, [outfile, arg], { maxBuffer: 1 << 20 })).stdout) as Record<
      string,
      number | boolean
    >;
  const baseline = await run('--baseline');
  const measured = await run(file);
  if (measured.valid !== true) throw new Error('The benchmark file did not validate');
  return {
    rssMb: measured.rssMb as number,
    baselineMb: baseline.rssMb as number,
    rows: measured.rows as number,
    seconds: measured.seconds as number,
  };
}

export const command = {
  usage: 'npm run bench -- csv-processor',
  summary: 'The processor stage against a plain COPY and one UPDATE per row; the validator’s peak memory.',
  options: {
    rows: { type: 'integer', min: 1, default: 1_000_000, description: 'rows in the generated file' },
    'per-row-sample': {
      type: 'integer',
      min: 1,
      default: 20_000,
      description: 'rows timed one UPDATE at a time',
    },
    'audit-sample': { type: 'integer', min: 1, default: 50_000, description: 'rows timed with auditing on' },
    'batch-size': { type: 'integer', min: 1, default: 500, description: 'rows per processor batch' },
    concurrency: { type: 'integer', min: 1, default: 5, description: 'batches applied at once' },
  },
} satisfies CommandSpec;

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommand(command, args);
  const rows = values.rows;
  const perRowSample = Math.min(rows, values['per-row-sample']);
  const auditSample = Math.min(rows, values['audit-sample']);
  const batchSize = values['batch-size'];
  const concurrency = values.concurrency;
  const log = (m: string) => process.stderr.write(`${m}\n`);

  const { startStack, createDatabase } = await import('../local/stack');
  const stack = await startStack({ log: () => undefined });
  const dir = await mkdtemp(join(tmpdir(), 'bench-csv-'));
  try {
    Object.assign(process.env, stack.env);
    const databaseUrl = await createDatabase(
      stack.databaseUrl,
      `bench_csv_${randomBytes(3).toString('hex')}`,
    );
    const names = localNames(`bench-${randomBytes(3).toString('hex')}`);
    await prepareCsvProcessor(names, { ...process.env, DATABASE_URL: databaseUrl });
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    const migratePool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
    await migrateDatabase(migratePool, 'csv-migrate').finally(() => migratePool.end());

    log(`generating ${rows} rows and seeding users…`);
    const gen0 = join(dir, 'gen0.csv');
    const gen1 = join(dir, 'gen1.csv');
    await writeFile(gen0, rows, 0);
    await writeFile(gen1, rows, 1);
    await seedUsers(databaseUrl, rows);
    await admin.query('VACUUM ANALYZE users');

    log('COPY ceiling…');
    await admin.query('TRUNCATE user_statistics');
    const [, copySeconds] = await timed(() => copyRows(admin, gen0));
    await admin.query('TRUNCATE user_statistics');
    await admin.query('VACUUM ANALYZE user_statistics');

    const batches0 = await readBatches(gen0, batchSize);
    const batches1 = await readBatches(gen1, batchSize);
    log('processor, first apply (inserts)…');
    const [, insertSeconds] = await timed(() => runProcessor(databaseUrl, batches0, concurrency, null));
    await admin.query('VACUUM ANALYZE user_statistics');
    log('processor, re-apply with new totals (updates)…');
    const [, updateSeconds] = await timed(() => runProcessor(databaseUrl, batches1, concurrency, null));

    log(`processor with audit on, ${auditSample} rows…`);
    const auditBatches = batches0.flat().slice(0, auditSample);
    const auditBatched: MapItem[][] = [];
    for (let i = 0; i < auditBatches.length; i += batchSize)
      auditBatched.push(auditBatches.slice(i, i + batchSize));
    const [, auditSeconds] = await timed(() =>
      runProcessor(databaseUrl, auditBatched, concurrency, { table: names.auditTable, success: true }),
    );

    log(`one UPDATE per row, ${perRowSample} rows…`);
    const sample = batches1.flat().slice(0, perRowSample);
    const [, perRowSeconds] = await timed(async () => {
      for (const item of sample) {
        await admin.query(
          'UPDATE user_statistics SET login_count = $2, post_count = $3, last_updated = now() WHERE user_id = $1',
          [
            item.row[USER_ID_COLUMN],
            Number(item.row[LOGIN_COUNT_COLUMN]) + 1,
            Number(item.row[POST_COUNT_COLUMN]) + 1,
          ],
        );
      }
    });
    await admin.end();

    log('validator peak RSS…');
    const validator = await validatorPeakRss(dir, gen0);

    const copyRate = rows / copySeconds;
    const perRowRate = perRowSample / perRowSeconds;
    const line = (name: string, n: number, seconds: number) => {
      const rate = n / seconds;
      return [
        name,
        String(n),
        seconds.toFixed(2),
        Math.round(rate).toLocaleString('en-US'),
        `${(rate / copyRate).toFixed(2)}×`,
        `${(rate / perRowRate).toFixed(1)}×`,
      ];
    };
    process.stdout.write(
      [
        `csv-processor benchmark: ${rows.toLocaleString('en-US')} rows, batches of ${batchSize}, ${concurrency} concurrent workers, embedded PostgreSQL`,
        '',
        formatTable(
          ['stage', 'rows', 'seconds', 'rows/s', 'vs COPY', 'vs per-row'],
          [
            line('COPY into user_statistics (ceiling)', rows, copySeconds),
            line('processor, first apply (audit of successes off)', rows, insertSeconds),
            line('processor, re-apply new totals (audit off)', rows, updateSeconds),
            line('processor, audit on (local DynamoDB, sample)', auditSample, auditSeconds),
            line('one UPDATE per row (original design, sample)', perRowSample, perRowSeconds),
          ],
        ),
        '',
        `validator: ${validator.rows.toLocaleString('en-US')} rows in ${validator.seconds.toFixed(2)} s, peak RSS ${validator.rssMb.toFixed(0)} MB (bundle loaded, idle: ${validator.baselineMb.toFixed(0)} MB)`,
        '',
        'goals: processor ≥ 0.50× COPY, ≥ 40× per-row; validator peak RSS < 150 MB at 1M rows',
        `  first apply ${(rows / insertSeconds / copyRate).toFixed(2)}× COPY, ${(rows / insertSeconds / perRowRate).toFixed(0)}× per-row; re-apply ${(rows / updateSeconds / copyRate).toFixed(2)}× COPY, ${(rows / updateSeconds / perRowRate).toFixed(0)}× per-row; RSS ${validator.rssMb.toFixed(0)} MB`,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
    const { resetPool } = await import('../../functions/shared/db');
    await resetPool();
    await stack.stop();
  }
}
