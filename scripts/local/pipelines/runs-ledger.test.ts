import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../../functions/shared/assets';
import { createRunsLedger } from '../../../functions/shared/runs-ledger';
import { csvFile, userId } from '../fixtures/csv-user-log';
import { uniqueName, useFreshDatabase } from '../../testing/stack';
import { runsLedgerTable, LOCAL_ENVIRONMENT } from './runs-ledger';

/**
 * Local runs land in the local ledger as runs in AWS land in theirs: the commands run as a
 * person runs them (tsx in a child process, on the test stack), then the ledger is read
 * with the same module the runs API uses. stdout keeps its `--json` contract (one object).
 */
const exec = promisify(execFile);
const root = repositoryRoot();
const ledger = createRunsLedger({ table: runsLedgerTable(LOCAL_ENVIRONMENT).name });
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await useFreshDatabase('runs_local');
});

async function cli(script: string, args: string[], env: Record<string, string> = {}) {
  return exec(join(root, 'node_modules/.bin/tsx'), [script, ...args], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      DATABASE_URL: databaseUrl,
      LOCAL_SECRETS_FILE: join(tmpdir(), `${uniqueName('runs-secrets')}.json`),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      ...env,
    },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

it('a local csv-processor run is in the ledger, SUCCEEDED with its counts', async () => {
  const out = await cli('scripts/local/cli.ts', ['csv-processor', '--rows', '39', '--json']);
  expect(out.code).toBe(0);
  // Exactly one JSON object on stdout, the ledger's logs elsewhere.
  const result = JSON.parse(out.stdout) as { status: string; executionName: string };
  expect(result.status).toBe('SUCCESS');

  const run = await ledger.getRun('csv-processor', result.executionName);
  expect(run).toMatchObject({
    status: 'SUCCEEDED',
    trigger: 'event',
    counts: { in: 39, applied: 39, failed: 0 },
    links: {
      executionArn: `arn:aws:states:ap-northeast-1:000000000000:execution:csv-user-log-processor-local:${result.executionName}`,
      logGroup: '/aws/vendedlogs/states/csv-user-log-processor-local',
      s3Keys: expect.arrayContaining([`results/${result.executionName}/summary.json`]),
    },
  });
  expect(run!.endedAt! >= run!.startedAt).toBe(true);
  const listed = await ledger.listRuns({ pipeline: 'csv-processor', status: 'SUCCEEDED', limit: 100 });
  expect(listed.runs.map((r) => r.runId)).toContain(result.executionName);
}, 120_000);

it('a rejected csv-processor file is in the ledger as FAILED with its error', async () => {
  const file = join(tmpdir(), `${uniqueName('rejected')}.csv`);
  writeFileSync(
    file,
    csvFile([
      [userId(1), 'twelve', 3],
      [userId(2), 1, 1],
    ]),
  );
  const out = await cli('scripts/local/cli.ts', ['csv-processor', '--file', file, '--json']);
  expect(out.code).toBe(0);
  const result = JSON.parse(out.stdout) as { status: string; executionName: string };
  expect(result.status).toBe('VALIDATION_FAILED');
  expect(await ledger.getRun('csv-processor', result.executionName)).toMatchObject({
    status: 'FAILED',
    counts: { in: 2, applied: 0, failed: 2 },
    error: {
      name: 'VALIDATION_FAILED',
      message: expect.stringContaining('first at line 2: COUNT_NOT_INTEGER'),
    },
  });
}, 120_000);

it('a local sync-batch run is in the ledger with the start it recorded itself and its quota', async () => {
  const out = await cli('scripts/local/cli.ts', [
    'sync-batch',
    '--channels',
    '1',
    '--videos-per-channel',
    '3',
    '--json',
  ]);
  expect(out.code).toBe(0);
  const result = JSON.parse(out.stdout) as { status: string; runId: string; quotaUnits: number };
  expect(result.status).toBe('success');
  const run = await ledger.getRun('batch-scheduler', result.runId);
  expect(run).toMatchObject({
    status: 'SUCCEEDED',
    trigger: 'manual',
    counts: { apiCalls: result.quotaUnits, failed: 0 },
    links: { logGroup: '/aws/lambda/sync-batch-local', requestId: result.runId },
  });
  expect(run!.startedAt < run!.endedAt!).toBe(true);
}, 120_000);

it('a function that fails under `npm run invoke` is in the ledger as FAILED with its error', async () => {
  const event = join(tmpdir(), `${uniqueName('missing-manifest')}.json`);
  writeFileSync(
    event,
    JSON.stringify({ bucket: 'etl-local-data', key: 'etl-data/1999-01-01/manifest.json' }),
  );
  const out = await cli('scripts/local/invoke.ts', [
    'etl-load',
    '--event',
    event,
    '--env',
    'S3_READ_ATTEMPTS=1',
  ]);
  expect(out.code).toBe(1);
  const failure = JSON.parse(out.stdout) as { errorType: string; errorMessage: string };
  const failed = await ledger.listRuns({ pipeline: 'etl-load', status: 'FAILED', limit: 100 });
  expect(failed.runs.find((r) => r.error?.message === failure.errorMessage)).toMatchObject({
    trigger: 'manual',
    error: { name: failure.errorType },
    links: { logGroup: '/aws/lambda/etl-load-local' },
  });
}, 120_000);
