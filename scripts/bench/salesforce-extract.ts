import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientSettings } from '../../functions/shared/aws';
import { repositoryRoot } from '../../functions/shared/assets';
import { createS3Client, readObjectText } from '../../functions/shared/s3';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { startFakeSalesforce, type FakeSalesforce } from '../fakes/salesforce/server';
import { localFunctionArn, localStateMachineArn } from '../local/stepfunctions/asl';
import { ensureBucket, ensureTable, salesforceWatermarkTable } from '../local/pipelines/resources';
import {
  ENVIRONMENT,
  FUNCTION,
  functionEnv,
  objectConfigs,
  renderDefinition,
  type ExtractReport,
} from '../local/pipelines/salesforce-extract';
import { writeLocalSecret } from '../local/secrets-file';
import type { ChildJob, MemoryAtPeak } from './salesforce-extract-child';
import { startStack } from '../local/stack';
import { bundleBenchChild, runBenchChild } from './child';

/**
 * `npm run bench -- salesforce-extract [--records 1000000] [--small-records 10000]`
 *
 * One object (Account) of the fake org extracted in Bulk API 2.0 mode by the whole state machine
 * (the deployed ASL on aws-local-stepfunctions, Waits shortened) with the handler bundled as the
 * build bundles it, at --small-records and at --records; then the ceiling: the same query's result
 * pages copied from the fake straight into one S3 multipart upload (HTTP → S3, no parsing, no
 * re-serialization). Each measured run is a Node process of its own (salesforce-extract-child.ts),
 * so its peak RSS (VmHWM) is its own; the fake org, S3 and DynamoDB run in this process. They run
 * with the deployed function's NODE_OPTIONS unless --node-options says otherwise, and each peak is
 * broken down (V8 heap by space, external memory, the rest) to show what holds the memory.
 * Goals: RSS at --records within 1.25× of --small-records and under 256 MB; records/s ≥ 0.5× the
 * raw copy's. Never fails on time.
 */
const OBJECT = 'Account';
const SECRET_ID = 'salesforce-extract-bench/jwt';
/** maxRecords of a results page: BULK_PAGE_RECORDS' default, what the extraction asks for. */
const PAGE_RECORDS = 50_000;
/**
 * The V8 flags the deployed function runs with: the Terraform module puts this same file's
 * content in the function's NODE_OPTIONS (docs/salesforce-extract.md, Performance).
 */
const DEPLOYED_NODE_OPTIONS = readFileSync(
  join(repositoryRoot(), 'infrastructure/terraform/modules/salesforce-extract/node-options'),
  'utf8',
).trim();

export const command = {
  usage: 'npm run bench -- salesforce-extract',
  summary: 'Bulk extraction records/s and peak RSS at two sizes against a raw HTTP → S3 copy.',
  options: {
    records: { type: 'integer', min: 1000, default: 1_000_000, description: 'records of the measured run' },
    'small-records': {
      type: 'integer',
      min: 100,
      default: 10_000,
      description: 'records of the small run (RSS flatness)',
    },
    'node-options': {
      type: 'string',
      value: 'flags',
      default: DEPLOYED_NODE_OPTIONS,
      description: 'NODE_OPTIONS of the measured processes ("" for Node’s defaults)',
    },
  },
} satisfies CommandSpec;

interface ChildRun<T> {
  ms: number;
  rssMb: number;
  memory: MemoryAtPeak;
  result: T;
}

/** One line saying what a run's peak RSS was made of. */
function breakdown(label: string, m: MemoryAtPeak): string {
  const n = (v: number | undefined) => (v ?? 0).toFixed(0);
  return (
    `  ${label}: RSS ${n(m.rss)} = V8 heap ${n(m.heapTotal)} (used ${n(m.heapUsed)}; young ${n(m.spaces.new_space)}, ` +
    `old ${n(m.spaces.old_space)}, large objects ${n(m.spaces.large_object_space)}, code ${n(m.spaces.code_space)}) ` +
    `+ external ${n(m.external)} (ArrayBuffers ${n(m.arrayBuffers)}) + the rest (native code, allocator) MB`
  );
}

/** salesforce-extract-child.ts (the state machine, the handler, the raw copy) bundled as the build bundles a function. */
async function bundleRunner(dir: string): Promise<string> {
  return bundleBenchChild(join(dir, 'child.mjs'), {
    entryPoints: [join(repositoryRoot(), 'scripts/bench/salesforce-extract-child.ts')],
  });
}

/** Runs one job in its own Node process; its time, peak RSS and result. */
async function runChild<T>(
  runner: string,
  dir: string,
  job: ChildJob,
  env: Record<string, string>,
  nodeOptions: string,
): Promise<ChildRun<T>> {
  const file = join(dir, `job-${randomBytes(3).toString('hex')}.json`);
  await writeFile(file, JSON.stringify(job), { mode: 0o600 });
  return runBenchChild<ChildRun<T>>(runner, [file], { env, nodeOptions, cwd: repositoryRoot() });
}

export async function run(args: string[]): Promise<void> {
  const { values } = parseCommand(command, args);
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const work = await mkdtemp(join(tmpdir(), 'bench-salesforce-'));
  // S3 and DynamoDB only: a DATABASE_URL counts as given, so no PostgreSQL is started.
  const stack = await startStack({
    fast: true,
    env: { ...process.env, DATABASE_URL: 'postgresql://unused.invalid/none' },
  });
  const suffix = randomBytes(3).toString('hex');
  try {
    const { DATABASE_URL: _unused, ...stackEnv } = stack.env;
    // The S3 and DynamoDB clients here read their endpoints from process.env, as the function's do.
    Object.assign(process.env, stackEnv);
    const runner = await bundleRunner(work);
    const nodeOptions = values['node-options'];

    const extract = async (fake: FakeSalesforce, records: number, label: string) => {
      // A bucket per run: two runs of one object in the same JST minute write the same key,
      // and the second is refused (OutputExistsError).
      const bucket = `salesforce-bench-${label}-${suffix}`;
      await ensureBucket(createS3Client(), { name: bucket });
      const table = { ...salesforceWatermarkTable(ENVIRONMENT), name: `sf-bench-${label}-${suffix}` };
      await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), table);
      await writeLocalSecret(stackEnv.LOCAL_SECRETS_FILE!, SECRET_ID, fake.secret);
      const env = {
        ...stackEnv,
        ...functionEnv({ rawBucket: bucket, watermarkTable: table.name }, objectConfigs([OBJECT], 'bulk')),
        SALESFORCE_SECRET_ID: SECRET_ID,
      };
      log(`${label}: extracting ${records.toLocaleString('en-US')} ${OBJECT} records (bulk)…`);
      const run = await runChild<ExtractReport>(
        runner,
        work,
        {
          kind: 'extract',
          functionArn: localFunctionArn(FUNCTION, ENVIRONMENT),
          options: {
            definition: await renderDefinition(),
            stateMachineArn: localStateMachineArn(`${FUNCTION}-${ENVIRONMENT}`),
            executionName: `bench-${label}-${suffix}`,
            retryIntervalMs: 100,
            waitTimeMs: 50,
          },
          input: { objects: [OBJECT] },
        },
        env,
        nodeOptions,
      );
      if (run.result.status !== 'SUCCEEDED')
        throw new Error(`the ${label} extraction failed: ${JSON.stringify(run.result.error)}`);
      return { ...run, bucket, outcome: run.result.objects[OBJECT]! };
    };
    const withFake = async <T>(records: number, work: (fake: FakeSalesforce) => Promise<T>) => {
      const fake = await startFakeSalesforce({ objects: { [OBJECT]: { records } } });
      try {
        return await work(fake);
      } finally {
        await fake.stop();
      }
    };

    const small = await withFake(values['small-records'], (fake) =>
      extract(fake, values['small-records'], 'small'),
    );
    const { big, raw } = await withFake(values.records, async (fake) => {
      const big = await extract(fake, values.records, 'big');
      log('raw copy: the same query’s result pages, HTTP → one S3 multipart upload…');
      // The query the extraction ran, by its manifest's field list.
      const manifest = JSON.parse(await readObjectText(big.bucket, big.outcome.manifestKey)) as {
        fields: string[];
      };
      const raw = await runChild<{ bytes: number }>(
        runner,
        work,
        {
          kind: 'raw',
          secret: fake.secret,
          soql: `SELECT ${manifest.fields.join(', ')} FROM ${OBJECT}`,
          bucket: big.bucket,
          key: `raw-copy/${OBJECT}_${suffix}.csv`,
          pageRecords: PAGE_RECORDS,
        },
        stackEnv,
        nodeOptions,
      );
      return { big, raw };
    });

    const outcome = big.outcome;
    const perSecond = (records: number, ms: number) => (records / ms) * 1000;
    const mb = (n: number) => `${n.toFixed(0)} MB`;
    const smallOutcome = small.outcome;
    const bigRate = perSecond(outcome.records, big.ms);
    const rawRate = perSecond(outcome.records, raw.ms);
    const rawBytes = raw.result.bytes;
    process.stdout.write(
      [
        `salesforce-extract: ${OBJECT} in Bulk API 2.0 mode from the fake org, whole state machine in one process`,
        formatTable(
          ['measure', 'records', 'MB', 'seconds', 'records/s', 'peak RSS'],
          [
            [
              `extract (small)`,
              String(smallOutcome.records),
              (smallOutcome.bytes / 1e6).toFixed(1),
              (small.ms / 1000).toFixed(1),
              perSecond(smallOutcome.records, small.ms).toFixed(0),
              mb(small.rssMb),
            ],
            [
              `extract`,
              String(outcome.records),
              (outcome.bytes / 1e6).toFixed(1),
              (big.ms / 1000).toFixed(1),
              bigRate.toFixed(0),
              mb(big.rssMb),
            ],
            [
              'raw copy HTTP → S3',
              String(outcome.records),
              (rawBytes / 1e6).toFixed(1),
              (raw.ms / 1000).toFixed(1),
              rawRate.toFixed(0),
              mb(raw.rssMb),
            ],
          ],
        ),
        `measured processes ran with NODE_OPTIONS=${JSON.stringify(nodeOptions)}${nodeOptions === DEPLOYED_NODE_OPTIONS ? ' (the deployed function’s)' : ''}`,
        'goals: RSS at the large run ≤ 1.25× the small run and < 256 MB; records/s ≥ 0.50× the raw copy',
        `  RSS ${mb(big.rssMb)} = ${(big.rssMb / small.rssMb).toFixed(2)}× the small run; records/s ${(bigRate / rawRate).toFixed(2)}× the raw copy`,
        'at each run’s highest sampled RSS:',
        breakdown('extract (small)', small.memory),
        breakdown('extract', big.memory),
        breakdown('raw copy', raw.memory),
        '',
      ].join('\n'),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await stack.stop();
  }
}
