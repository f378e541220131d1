import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { build } from 'esbuild';
import { repositoryRoot } from '../../functions/shared/assets';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { collectCatalogue } from '../../functions/sync-batch/collect';
import { copyCsv, loadAndMerge, sql } from '../../functions/sync-batch/loader';
import { migrateDatabase } from '../../functions/shared/migrations';
import { CHANNEL_COLUMNS, VIDEO_COLUMNS, VIDEO_STATS_COLUMNS } from '../../functions/sync-batch/rows';
import { YouTubeApi } from '../../functions/sync-batch/youtube-api';
import { startFakeYouTube } from '../fakes/youtube/server';
import { createDatabase, startStack } from '../local/stack';

/**
 * `npm run bench -- sync-batch [--channels 20] [--videos-per-channel 2000] [--repeat 3]`
 *
 * Three questions, each answered against a ceiling measured in the same run:
 * - quota: units spent on the fake catalogue vs the fewest possible (goal: equal);
 * - merge: rows/s of COPY-into-staging + one-transaction merge vs a plain COPY of
 *   the same CSV into empty tables defined like the targets (goal ≥ 0.5×);
 * - cold start: time for a fresh Node process to load the sync-batch bundle vs an
 *   empty module (dist/sync-batch.zip when built, else an esbuild bundle made here
 *   with the same settings).
 */
const exec = promisify(execFile);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

async function bundleForColdStart(dir: string): Promise<{ file: string; source: string }> {
  const root = repositoryRoot();
  const zip = join(root, 'dist', 'sync-batch.zip');
  if (existsSync(zip)) {
    await exec('unzip', ['-q', '-o', zip, '-d', dir]);
    return { file: join(dir, 'index.mjs'), source: 'dist/sync-batch.zip' };
  }
  await build({
    entryPoints: [join(root, 'functions', 'sync-batch', 'handler.ts')],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    sourcemap: false,
    logLevel: 'error',
    // CommonJS dependencies call require(); give the ESM bundle one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  return { file: join(dir, 'index.mjs'), source: 'esbuild bundle (run `npm run build` to measure the zip)' };
}

async function importTimeMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], {
    env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: '', POWERTOOLS_LOG_LEVEL: 'ERROR' },
  });
  return Number(stdout);
}

export const command = {
  usage: 'npm run bench -- sync-batch',
  summary: 'Quota spent, merge rows/s against a plain COPY, and the bundle’s load time.',
  options: {
    channels: { type: 'integer', min: 1, default: 20, description: 'channels in the fake catalogue' },
    'videos-per-channel': { type: 'integer', min: 1, default: 2000, description: 'uploads per channel' },
    repeat: { type: 'integer', min: 1, default: 3, description: 'timed repetitions of each measurement' },
    seed: { type: 'integer', min: 0, default: 20250802, description: 'seed of the fake catalogue' },
  },
} satisfies CommandSpec;

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommand(command, args);
  const channels = values.channels;
  const videosPerChannel = values['videos-per-channel'];
  const repeat = values.repeat;
  const log = (message: string) => process.stderr.write(`${message}\n`);

  const stack = await startStack({ fast: true });
  const fake = await startFakeYouTube({
    channels,
    videosPerChannel,
    seed: values.seed,
    apiKeys: ['bench'],
    dailyQuota: 1e9,
  });
  const work = await mkdtemp(join(tmpdir(), 'bench-sync-batch-'));
  const dbName = `sync_batch_bench_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: stack.databaseUrl });
  try {
    log(`catalogue: ${channels} channels × ${videosPerChannel} uploads`);
    const api = new YouTubeApi({ apiKey: 'bench', rootUrl: fake.rootUrl, baseDelayMs: 10 });
    const [collected, fetchMs] = await timed(() =>
      collectCatalogue(api, fake.catalogue.channelIds, {
        dir: work,
        snapshotDate: '2025-08-02',
        syncedAt: new Date().toISOString(),
      }),
    );
    const minimum = fake.catalogue.minimumQuota();
    const rows = collected.rows.channels + collected.rows.videos + collected.rows.stats;
    const csvBytes = (await Promise.all(Object.values(collected.files).map((f) => stat(f)))).reduce(
      (s, f) => s + f.size,
      0,
    );

    const url = await createDatabase(stack.databaseUrl, dbName);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    await migrateDatabase(pool, 'sync-batch-migrate');

    // Ceiling: the same three files COPYed straight into empty tables defined exactly
    // like the targets (same indexes and constraints, logged): the fastest way these
    // rows can land in such tables, with no staging and no merge. The unindexed temp
    // staging COPY alone is shown too, for reference.
    const copyMs: number[] = [];
    const stagingCopyMs: number[] = [];
    const copyAll = (client: pg.PoolClient, prefix: string) => async () => {
      await copyCsv(client, `${prefix}channels`, CHANNEL_COLUMNS, collected.files.channels);
      await copyCsv(client, `${prefix}videos`, VIDEO_COLUMNS, collected.files.videos);
      await copyCsv(client, `${prefix}video_stats`, VIDEO_STATS_COLUMNS, collected.files.stats);
    };
    for (let i = 0; i < repeat; i++) {
      const client = await pool.connect();
      try {
        await client.query(`CREATE TABLE plain_channels (LIKE youtube_channels INCLUDING ALL);
          CREATE TABLE plain_videos (LIKE youtube_videos INCLUDING ALL);
          CREATE TABLE plain_video_stats (LIKE youtube_video_stats INCLUDING ALL)`);
        copyMs.push((await timed(copyAll(client, 'plain_')))[1]);
        await client.query('DROP TABLE plain_channels, plain_videos, plain_video_stats');
        await client.query('BEGIN');
        await client.query(sql('staging.sql'));
        stagingCopyMs.push((await timed(copyAll(client, 'staging_youtube_')))[1]);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
    }

    // Merge into empty tables (first sync) and into full ones (re-run of the same day).
    const mergeFirst: number[] = [];
    const mergeRerun: number[] = [];
    for (let i = 0; i < repeat; i++) {
      await pool.query('TRUNCATE youtube_channels, youtube_videos, youtube_video_stats');
      mergeFirst.push((await timed(() => loadAndMerge(pool, collected.files, '2025-08-02')))[1]);
      mergeRerun.push((await timed(() => loadAndMerge(pool, collected.files, '2025-08-02')))[1]);
    }
    await pool.end();

    const coldDir = await mkdtemp(join(tmpdir(), 'bench-cold-'));
    const bundle = await bundleForColdStart(coldDir);
    const empty = join(coldDir, 'empty.mjs');
    await writeFile(empty, 'export const handler = async () => ({});\n');
    const bundleBytes = (await stat(bundle.file)).size;
    const bundleMs: number[] = [];
    const emptyMs: number[] = [];
    for (let i = 0; i < Math.max(5, repeat); i++) {
      emptyMs.push(await importTimeMs(empty));
      bundleMs.push(await importTimeMs(bundle.file));
    }
    await rm(coldDir, { recursive: true, force: true });

    const rate = (ms: number) => rows / (ms / 1000);
    const copy = median(copyMs);
    const stagingCopy = median(stagingCopyMs);
    const first = median(mergeFirst);
    const rerun = median(mergeRerun);
    const coldBundle = median(bundleMs);
    const coldEmpty = median(emptyMs);
    const fmt = (n: number, digits = 0) =>
      n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

    process.stdout.write(
      [
        `sync-batch benchmark: ${channels} channels × ${videosPerChannel} uploads = ${fake.catalogue.totalUploads} uploads, ${rows} rows, ${fmt(csvBytes / 1024 / 1024, 1)} MiB CSV`,
        `(fetch from the local fake took ${fmt(fetchMs)} ms; medians of ${repeat} runs; ${(await readdir(work)).length} CSV files)`,
        '',
        formatTable(
          ['measure', 'value', 'ceiling', 'ratio', 'goal'],
          [
            [
              'quota units (1 per list call)',
              fmt(api.quotaUnits),
              `${fmt(minimum)} minimum`,
              fmt(minimum / api.quotaUnits, 2),
              '1.00 (equal)',
            ],
            [
              '  of which channels / playlistItems / videos',
              `${api.requests.channels} / ${api.requests.playlistItems} / ${api.requests.videos}`,
              '',
              '',
              '',
            ],
            [
              'merge, first sync (rows/s)',
              fmt(rate(first)),
              `${fmt(rate(copy))} plain COPY`,
              fmt(copy / first, 2),
              '≥ 0.50',
            ],
            [
              'merge, same-day re-run, same data (rows/s)',
              fmt(rate(rerun)),
              `${fmt(rate(copy))} plain COPY`,
              fmt(copy / rerun, 2),
              '≥ 0.50',
            ],
            [
              '  merge vs COPY into unindexed temp tables',
              fmt(rate(first)),
              `${fmt(rate(stagingCopy))} temp COPY`,
              fmt(stagingCopy / first, 2),
              'reference',
            ],
            [
              'cold start: load bundle (ms)',
              fmt(coldBundle, 1),
              `${fmt(coldEmpty, 1)} empty module`,
              fmt(coldBundle / Math.max(coldEmpty, 0.001), 1),
              'informational',
            ],
            ['bundle size (KiB)', fmt(bundleBytes / 1024), '', '', ''],
          ],
          { align: 'left' },
        ),
        '',
        `bundle: ${bundle.source}`,
        '',
      ].join('\n'),
    );
  } finally {
    await fake.stop();
    await admin.connect().then(
      () => admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).finally(() => admin.end()),
      () => undefined,
    );
    await rm(work, { recursive: true, force: true });
    await stack.stop();
  }
}
