import { createHash } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { clientSettings } from '../shared/aws';
import { createDocumentClient } from '../shared/dynamo';
import { createS3Client } from '../shared/s3';
import { createBucket, putLocalSecret, uniqueName } from '../../scripts/testing/stack';
import { ensureTable, salesforceWatermarkTable } from '../../scripts/local/pipelines/resources';
import { startFakeSalesforce, type FakeSalesforce } from '../../scripts/fakes/salesforce/server';
import { localFunctionArn, localStateMachineArn, renderAslFile } from '../../scripts/local/stepfunctions/asl';
import {
  runLocalExecution,
  type LocalExecutionResult,
} from '../../scripts/local/stepfunctions/local-execution';
import { resetTokenCache } from './auth';
import { loadExtractConfig } from './config';
import { createHandler } from './handler';
import type { Manifest } from './manifest';
import { readWatermark } from './watermarks';

/**
 * The whole state machine (the ASL Terraform deploys, on aws-local-stepfunctions) with this
 * function as every task, against the fake org, the embedded S3 and DynamoDB.
 */
const SECRET_ID = 'salesforce-extract-e2e/jwt';
const ARN = localFunctionArn('salesforce-extract', 'e2e');
const s3 = createS3Client();
const ddb = createDocumentClient();
const RECORDS = { Account: 250, Contact: 2500, Attachment: 40 };

let fake: FakeSalesforce;
let bucket: string;

beforeAll(async () => {
  fake = await startFakeSalesforce({
    objects: Object.fromEntries(Object.entries(RECORDS).map(([k, records]) => [k, { records }])),
    bulkStateDelays: 1,
  });
  await putLocalSecret(SECRET_ID, fake.secret);
  resetTokenCache();
});
afterAll(() => fake?.stop());

async function newTable(): Promise<string> {
  const table = uniqueName('sf-wm');
  // The table as Terraform and the local runner define it, under a name of this test's own.
  await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
    ...salesforceWatermarkTable('test'),
    name: table,
  });
  return table;
}

interface Scenario {
  table: string;
  env?: Record<string, string>;
  /** The run's clock (preflight's start time); real time otherwise. */
  now?: () => Date;
  /** What getRemainingTimeInMillis answers: reserve + this is the budget a paging step gets. */
  budgetMs?: number;
  /** Rewrites a step's output before the state machine sees it (simulates what Salesforce reports). */
  tamper?: (step: string, output: unknown) => void;
  maxPolls?: number;
  /** After the step ran, answer as if Lambda lost the response (Lambda.ServiceException) this many times. */
  loseAnswers?: Partial<Record<string, number>>;
  /**
   * Write into the previous run's bucket. By default every run gets a bucket of its own:
   * runs of one object in the same JST minute share a key, and the second is refused.
   */
  sameBucket?: boolean;
}

type Output = {
  status: string;
  objects: Record<string, { mode: string; records: number; key: string; bytes: number; manifestKey: string }>;
};

async function run(input: Record<string, unknown>, scenario: Scenario) {
  if (!scenario.sameBucket) bucket = await createBucket(uniqueName('sf-e2e'));
  const reserve = 60_000;
  const config = loadExtractConfig({
    RAW_BUCKET: bucket,
    WATERMARK_TABLE: scenario.table,
    SALESFORCE_SECRET_ID: SECRET_ID,
    TIME_BUDGET_RESERVE_MS: String(reserve),
    ...scenario.env,
  });
  const handler = createHandler({ config, ...(scenario.now ? { now: scenario.now } : {}) });
  const steps: string[] = [];
  const budget = scenario.budgetMs ?? 900_000;
  const result = await runLocalExecution(
    {
      definition: await renderAslFile('salesforce-extract/asl/salesforce-extract.asl.json', {
        function_arn: ARN,
        max_concurrency: 2,
        poll_seconds: 1,
        max_polls: scenario.maxPolls ?? 20,
      }),
      lambdas: {
        [ARN]: async (payload) => {
          const step = (payload as { step: string }).step;
          steps.push(step);
          const output = await handler(payload, { getRemainingTimeInMillis: () => reserve + budget });
          scenario.tamper?.(step, output);
          const lost = scenario.loseAnswers?.[step] ?? 0;
          if (lost > 0) {
            scenario.loseAnswers![step] = lost - 1;
            throw Object.assign(new Error('Lambda lost the answer'), { name: 'Lambda.ServiceException' });
          }
          return output;
        },
      },
      s3,
      stateMachineArn: localStateMachineArn('salesforce-extract-e2e'),
      executionName: uniqueName('run'),
      retryIntervalMs: 1,
      waitTimeMs: 1,
    },
    input as never,
  );
  return { result, steps };
}

function succeeded(result: LocalExecutionResult): Output {
  if (result.status !== 'SUCCEEDED') throw new Error(`execution failed: ${result.error}: ${result.cause}`);
  return result.output as Output;
}

async function bytesOf(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function manifestOf(key: string): Promise<Manifest> {
  return JSON.parse((await bytesOf(key)).toString('utf8')) as Manifest;
}

async function incompleteKeys(): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'raw/_incomplete/' }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

const resultCalls = () => fake.calls.filter((c) => /\/jobs\/query\/[^/]+\/results/.test(c.path)).length;
const jobCreations = () =>
  fake.calls.filter((c) => c.method === 'POST' && /\/jobs\/query$/.test(c.path)).length;

describe('salesforce-extract state machine', () => {
  it('picks REST under the threshold and Bulk above, writes file + manifest, then advances the watermark', async () => {
    const table = await newTable();
    const jobsBefore = jobCreations();
    const started = new Date();
    const { result } = await run({ objects: ['Account', 'Contact'] }, { table });
    const output = succeeded(result);
    expect(output.status).toBe('SUCCEEDED');
    expect(Object.keys(output.objects).sort()).toEqual(['Account', 'Contact']);
    expect(output.objects.Account!.mode).toBe('rest');
    expect(output.objects.Contact!.mode).toBe('bulk');
    expect(jobCreations() - jobsBefore).toBe(1);

    for (const object of ['Account', 'Contact']) {
      const entry = output.objects[object]!;
      const manifest = await manifestOf(entry.manifestKey);
      const to = new Date(manifest.window.to!);
      expect(to.getTime()).toBeLessThanOrEqual(started.getTime());
      expect(entry.records).toBe(fake.expectedCount(object, { to }));
      expect(entry.key).toMatch(
        new RegExp(`^raw/${object}/year=\\d{4}/month=\\d{2}/day=\\d{2}/${object}_\\d{8}_\\d{4}\\.csv$`),
      );
      const file = await bytesOf(entry.key);
      expect(manifest).toMatchObject({
        object,
        mode: entry.mode,
        records: entry.records,
        bytes: file.length,
        sha256: createHash('sha256').update(file).digest('hex'),
        watermark: { old: null, new: manifest.window.to },
      });
      expect(manifest.apiCalls).toBeGreaterThan(0);
      expect(file.toString('utf8').split('\n')[0]).toBe(manifest.fields.join(','));
      expect(manifest.fields).not.toContain('HQLocation__c');
      expect((await readWatermark(ddb, table, object))?.watermark).toBe(manifest.window.to);
    }
    expect(await incompleteKeys()).toEqual([]);
  });

  it('writes byte-identical files through REST and Bulk, for 1, 2 and 7 result pages, resuming downloads page by page', async () => {
    const table = await newTable();
    const now = () => new Date(Date.now() - 3_600_000);
    const files: Buffer[] = [];
    const rest = succeeded(
      (await run({ objects: ['Contact'], mode: 'rest', full: true }, { table, now })).result,
    );
    files.push(await bytesOf(rest.objects.Contact!.key));
    for (const [pageRecords, pages] of [
      [3000, 1],
      [1250, 2],
      [358, 7],
    ] as const) {
      const before = resultCalls();
      const { result, steps } = await run(
        { objects: ['Contact'], mode: 'bulk', full: true },
        // A budget of 1 ms: every download invocation writes one page, checkpoints, and the ASL loops.
        { table, now, env: { BULK_PAGE_RECORDS: String(pageRecords) }, budgetMs: pages === 7 ? 1 : 600_000 },
      );
      const output = succeeded(result);
      expect(output.objects.Contact!.mode).toBe('bulk');
      expect(resultCalls() - before).toBe(pages);
      if (pages === 7) expect(steps.filter((s) => s === 'download')).toHaveLength(7);
      files.push(await bytesOf(output.objects.Contact!.key));
    }
    // A results page cut off half way is fetched again by its locator; an expired session is renewed once.
    fake.faults.truncateBodyOnce = true;
    fake.faults.sessionExpiresAfterCalls = 4;
    const [resultsBefore, callsBefore] = [resultCalls(), fake.calls.length];
    const faulty = await run(
      { objects: ['Contact'], mode: 'bulk', full: true },
      { table, now, env: { BULK_PAGE_RECORDS: '1250' } },
    ).finally(() => (fake.faults = {}));
    files.push(await bytesOf(succeeded(faulty.result).objects.Contact!.key));
    expect(resultCalls() - resultsBefore).toBe(3);
    expect(fake.calls.slice(callsBefore).filter((c) => c.status === 401).length).toBeGreaterThan(0);
    expect(files[0]!.length).toBeGreaterThan(100_000);
    for (const file of files.slice(1)) expect(file.equals(files[0]!)).toBe(true);
    expect(await incompleteKeys()).toEqual([]);
  });

  it('a commit retried after its answer was lost finds its file, manifest and watermark in place', async () => {
    const table = await newTable();
    const { result, steps } = await run({ objects: ['Account'] }, { table, loseAnswers: { commit: 1 } });
    const output = succeeded(result);
    expect(steps.filter((s) => s === 'commit')).toHaveLength(2);
    const manifest = await manifestOf(output.objects.Account!.manifestKey);
    const file = await bytesOf(output.objects.Account!.key);
    expect(manifest.sha256).toBe(createHash('sha256').update(file).digest('hex'));
    expect((await readWatermark(ddb, table, 'Account'))?.watermark).toBe(manifest.window.to);
  });

  it('writes a header-only file for an empty window, on either path', async () => {
    const table = await newTable();
    succeeded((await run({ objects: ['Account'] }, { table })).result);
    // Nothing changed since: without the lookback the new window holds no record.
    const later = () => new Date(Date.now() + 120_000);
    for (const mode of ['auto', 'bulk']) {
      const output = succeeded(
        (await run({ objects: ['Account'], mode }, { table, now: later, env: { LOOKBACK_SECONDS: '0' } }))
          .result,
      );
      expect(output.objects.Account!.records).toBe(0);
      expect(output.objects.Account!.mode).toBe(mode === 'auto' ? 'rest' : 'bulk');
      const file = (await bytesOf(output.objects.Account!.key)).toString('utf8');
      expect(file.split('\n')).toHaveLength(2);
      expect(file.endsWith('\n')).toBe(true);
    }
  });

  it('refuses a second run of an object in the same JST minute: the first file stays, the watermark too', async () => {
    const table = await newTable();
    const now = () => new Date('2026-11-30T03:00:10.000Z');
    const first = succeeded((await run({ objects: ['Account'] }, { table, now })).result);
    const file = await bytesOf(first.objects.Account!.key);
    const watermark = (await readWatermark(ddb, table, 'Account'))?.watermark;
    const { result } = await run({ objects: ['Account'], full: true }, { table, now, sameBucket: true });
    expect(result.status).toBe('FAILED');
    if (result.status === 'FAILED') {
      expect(result.cause).toMatch(
        /Account: OutputExistsError \(s3:\/\/[\w-]+\/raw\/Account\/year=2026\/month=11\/day=30\/Account_20261130_1200\.csv already exists/,
      );
    }
    expect((await bytesOf(first.objects.Account!.key)).equals(file)).toBe(true);
    expect((await readWatermark(ddb, table, 'Account'))?.watermark).toBe(watermark);
    expect(await incompleteKeys()).toEqual([]);
  });

  it('partitions by the run’s JST date across midnight', async () => {
    const table = await newTable();
    const before = succeeded(
      (await run({ objects: ['Attachment'] }, { table, now: () => new Date('2026-11-30T14:59:30.000Z') }))
        .result,
    );
    expect(before.objects.Attachment!.key).toBe(
      'raw/Attachment/year=2026/month=11/day=30/Attachment_20261130_2359.csv',
    );
    const after = succeeded(
      (await run({ objects: ['Attachment'] }, { table, now: () => new Date('2026-11-30T15:00:30.000Z') }))
        .result,
    );
    expect(after.objects.Attachment!.key).toBe(
      'raw/Attachment/year=2026/month=12/day=01/Attachment_20261201_0000.csv',
    );
    expect(after.objects.Attachment!.manifestKey).toBe(
      'raw/Attachment/year=2026/month=12/day=01/Attachment_20261201_0000.manifest.json',
    );
  });

  describe('failures', () => {
    let table: string;
    let watermark: string | undefined;
    const failingNow = () => new Date(Date.now() + 24 * 3_600_000);

    beforeAll(async () => {
      table = await newTable();
      succeeded((await run({ objects: ['Contact'] }, { table })).result);
      watermark = (await readWatermark(ddb, table, 'Contact'))?.watermark;
      expect(watermark).toBeDefined();
    });
    afterEach(() => {
      fake.faults = {};
    });

    async function expectNothingCommitted(result: LocalExecutionResult, error: RegExp) {
      expect(result.status).toBe('FAILED');
      if (result.status !== 'FAILED') return;
      expect(result.error).toBe('ObjectsFailed');
      expect(result.cause).toMatch(error);
      expect((await readWatermark(ddb, table, 'Contact'))?.watermark).toBe(watermark);
      // The failing run's key (its own minute, a day ahead): no file, no manifest, no carry.
      const key = `raw/Contact/year=${failingNow().getUTCFullYear()}`;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }));
      const stamp = (await import('../shared/jst')).jstStamp(failingNow());
      expect((listed.Contents ?? []).filter((o) => o.Key!.includes(stamp))).toEqual([]);
      expect(await incompleteKeys()).toEqual([]);
    }

    it('a Failed job fails the execution with Salesforce’s message and leaves the watermark', async () => {
      fake.faults.jobFails = 'InvalidBatch : Failed to process query';
      const { result } = await run({ objects: ['Contact'], mode: 'bulk' }, { table, now: failingNow });
      await expectNothingCommitted(
        result,
        /Contact: BulkJobFailedError \(Bulk query job \w+ ended Failed: InvalidBatch : Failed to process query\)/,
      );
    });

    it('a count mismatch after every page was uploaded aborts the upload and leaves the watermark', async () => {
      const { result, steps } = await run(
        { objects: ['Contact'], mode: 'bulk' },
        {
          table,
          now: failingNow,
          env: { BULK_PAGE_RECORDS: '1000' },
          tamper: (step, output) => {
            const job = (output as { job?: { numberRecordsProcessed?: number } }).job;
            if (step === 'pollJob' && job?.numberRecordsProcessed !== undefined)
              job.numberRecordsProcessed += 1;
          },
        },
      );
      expect(steps).toContain('abort');
      await expectNothingCommitted(result, /Contact: RecordCountMismatchError/);
    });

    it('a job that never completes is aborted after the last poll', async () => {
      fake.faults.jobStuck = true;
      const { result } = await run(
        { objects: ['Contact'], mode: 'bulk' },
        { table, now: failingNow, maxPolls: 3 },
      );
      await expectNothingCommitted(
        result,
        /Contact: BulkJobStuckError \(Bulk query job \w+ still InProgress after 3 polls\)/,
      );
      expect(fake.calls.some((c) => c.method === 'PATCH' && /\/jobs\/query\/\w+$/.test(c.path))).toBe(true);
    });

    it('a run with one failed object still commits the others, and fails', async () => {
      fake.faults.jobFails = 'boom';
      const { result } = await run(
        { objects: ['Account', 'Contact'], full: true },
        { table, now: failingNow },
      );
      await expectNothingCommitted(result, /^1 of 2 object\(s\) failed: Contact: BulkJobFailedError/);
      // Account (REST) committed and advanced; only Contact's watermark stayed.
      expect((await readWatermark(ddb, table, 'Account'))?.watermark).toBeDefined();
    });
  });
});
