import pg from 'pg';
import { resetPool } from '../shared/db';
import { DatabaseTransientError } from '../shared/errors';
import { createS3Client } from '../shared/s3';
import { useFreshDatabase, uniqueName } from '../../scripts/testing/stack';
import { countsFor, csvFile, userId } from '../../scripts/local/fixtures/csv-user-log';
import {
  executeStateMachine,
  functionArn,
  functionEnv,
  localLambdas,
  localNames,
  prepareCsvProcessor,
  seedUsers,
  uploadInput,
  type CsvProcessorNames,
} from '../../scripts/local/pipelines/csv-processor';
import type { LocalLambda } from '../../scripts/local/stepfunctions/local-execution';
import { Reason } from './contract';
import { auditItems, statistics } from './test-support';

/**
 * Faults during processing: a connection killed in the middle of a batch is retried
 * and ends exactly like a clean run; a batch that keeps failing is recorded row by
 * row, so succeeded + failed still equals the rows in the file.
 */
const USERS = 600;
const settings = { batchSize: 100, maxConcurrency: 5, toleratedFailurePercentage: 5 };
const rows = Array.from(
  { length: USERS },
  (_, i) => [userId(i + 1), ...countsFor(i + 1)] as [string, number, number],
);

let names: CsvProcessorNames;
let lambdas: Record<string, LocalLambda>;
const s3 = createS3Client();

beforeAll(async () => {
  names = localNames(uniqueName('fault'));
  await prepareCsvProcessor(
    { ...names },
    { ...process.env, DATABASE_URL: await useFreshDatabase('csv_fault_setup') },
  );
  Object.assign(process.env, functionEnv(names), { POWERTOOLS_METRICS_DISABLED: 'true' });
  lambdas = await localLambdas(names);
});
afterAll(() => resetPool());

async function freshDatabase(prefix: string): Promise<string> {
  const url = await useFreshDatabase(prefix);
  await prepareCsvProcessor(names, { ...process.env, DATABASE_URL: url });
  await seedUsers(url, USERS);
  return url;
}

/** Counts processor invocations by action, passing them through. */
function counting(target: Record<string, LocalLambda>) {
  const calls: Record<string, number> = {};
  const arn = functionArn('csv-processor', names.environment);
  const wrapped = {
    ...target,
    [arn]: async (payload: unknown) => {
      const action = (payload as { action: string }).action;
      calls[action] = (calls[action] ?? 0) + 1;
      return target[arn]!(payload);
    },
  };
  return { wrapped, calls };
}

async function run(fileName: string, useLambdas: Record<string, LocalLambda>) {
  const event = await uploadInput(s3, names, fileName, csvFile(rows));
  return executeStateMachine({ names, event, lambdas: useLambdas, s3, settings, retryIntervalMs: 10 });
}

/** The audit of one execution without what differs between runs by design. */
async function auditShape(executionName: string) {
  return (await auditItems(names.auditTable, executionName)).map(
    ({ line, userId: id, status, processingType, oldValue, newValue, errorMessage }) => ({
      line,
      userId: id,
      status,
      processingType,
      oldValue,
      newValue,
      errorMessage,
    }),
  );
}

const valuesOf = (stats: Awaited<ReturnType<typeof statistics>>) =>
  [...stats.values()].map((r) => [r.user_id, r.login_count, r.post_count]).sort();

it('retries a batch whose connection is killed mid-statement and ends as a clean run does', async () => {
  const cleanUrl = await freshDatabase('csv_clean');
  const clean = await run('clean.csv', lambdas);
  expect(clean.status).toBe('SUCCESS');
  const cleanStats = await statistics(cleanUrl);

  const faultUrl = await freshDatabase('csv_fault');
  // Hold a lock the third batch's statement must wait for (the FK check on users
  // U00250), then kill that backend while it waits: a connection lost mid-batch.
  const locker = new pg.Client({ connectionString: faultUrl });
  await locker.connect();
  await locker.query('BEGIN');
  await locker.query(`SELECT 1 FROM users WHERE user_id = 'U00250' FOR UPDATE`);
  const { wrapped, calls } = counting(lambdas);
  const execution = run('fault.csv', wrapped);
  const killed = await killWaitingBackend(faultUrl);
  await locker.query('COMMIT');
  await locker.end();
  const faulty = await execution;

  expect(killed).toBe(true);
  expect(calls.applyBatch).toBe(USERS / settings.batchSize + 1); // one retry
  expect(calls.recordBatchFailure).toBeUndefined();
  expect(faulty.status).toBe('SUCCESS');
  expect(faulty.rows).toEqual({ total: USERS, succeeded: USERS, failed: 0 });
  expect(valuesOf(await statistics(faultUrl))).toEqual(valuesOf(cleanStats));
  expect(await auditShape(faulty.executionName)).toEqual(await auditShape(clean.executionName));
});

it('records every row of a batch that fails after all retries, keeping the counts whole', async () => {
  await freshDatabase('csv_broken');
  const arn = functionArn('csv-processor', names.environment);
  const { wrapped, calls } = counting({
    ...lambdas,
    [arn]: async (payload: unknown) => {
      const { action, items } = payload as { action: string; items?: { index: number }[] };
      // The batch holding data rows 200-299 never gets through.
      if (action === 'applyBatch' && items?.[0]?.index === 200)
        throw new DatabaseTransientError('connection refused');
      return lambdas[arn]!(payload);
    },
  });
  const report = await run('broken.csv', wrapped);

  expect(calls.applyBatch).toBe(USERS / settings.batchSize + 3); // the broken batch: 1 + 3 retries
  expect(calls.recordBatchFailure).toBe(1);
  // 100 of 600 rows (16.7 %) is over the 5 % tolerance: the execution fails, accounted for.
  expect(report.status).toBe('PROCESSING_FAILED');
  expect(report.rows).toEqual({ total: USERS, succeeded: 500, failed: 100 });
  const items = await auditItems(names.auditTable, report.executionName);
  expect(items).toHaveLength(USERS);
  const failed = items.filter((i) => i.status === 'failed');
  expect(failed.map((i) => i.line)).toEqual(Array.from({ length: 100 }, (_, i) => 202 + i));
  expect(failed[0]!.errorMessage).toBe(`${Reason.BATCH_FAILED}: DatabaseTransientError (connection refused)`);
});

/**
 * Terminates the backend waiting on a lock in `url`'s database. Polled from its own
 * connection: inside a transaction pg_stat_activity would show a frozen snapshot.
 */
async function killWaitingBackend(url: string): Promise<boolean> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const database = new URL(url).pathname.slice(1);
  try {
    return await pollAndKill(admin, database);
  } finally {
    await admin.end();
  }
}

async function pollAndKill(admin: pg.Client, database: string): Promise<boolean> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const out = await admin.query<{ killed: boolean }>(
      `SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity
       WHERE datname = $1 AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
      [database],
    );
    if (out.rows.some((r) => r.killed)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}
