import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { build } from 'esbuild';
import type { SalesforceSecret } from '../../functions/salesforce-extract/secret';
import { clientSettings } from '../../functions/shared/aws';
import { repositoryRoot } from '../../functions/shared/assets';
import { createS3Client, readObjectText, uploadStream } from '../../functions/shared/s3';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { startFakeSalesforce } from '../fakes/salesforce/server';
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
import { startStack } from '../local/stack';

/**
 * `npm run bench -- salesforce-extract [--records 1000000] [--small-records 10000]`
 *
 * One object (Account) of the fake org extracted in Bulk API 2.0 mode by the whole state machine
 * (the deployed ASL on aws-local-stepfunctions, Waits shortened) with the handler bundled as the
 * build bundles it, in a Node process of its own, so its peak RSS (VmHWM) is the extraction's
 * alone; the fake org, S3 and DynamoDB run in this process. Measured at --small-records and at
 * --records, then the ceiling in the same run: a raw copy of the same query's result pages from
 * the fake straight into one S3 multipart upload (HTTP → S3, no parsing, no re-serialization).
 * Goals: RSS at --records within 1.25× of --small-records and under 256 MB; records/s ≥ 0.5× the
 * raw copy's. Never fails on time.
 */
const exec = promisify(execFile);
const OBJECT = 'Account';
const SECRET_ID = 'salesforce-extract-bench/jwt';

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
      default: '',
      description: 'NODE_OPTIONS of the extraction process ("" for Node’s defaults)',
    },
  },
} satisfies CommandSpec;

interface ExtractionRun {
  ms: number;
  rssMb: number;
  report: ExtractReport;
}

/** The state machine runner and handler in one bundle, with a prologue that reports time and VmHWM. */
async function bundleRunner(dir: string): Promise<string> {
  const outfile = join(dir, 'extract.mjs');
  await build({
    stdin: {
      contents: `
        import { readFileSync } from 'node:fs';
        import { runLocalExecution } from './scripts/local/stepfunctions/local-execution';
        import { createS3Client } from './functions/shared/s3';
        import { handler } from './functions/${FUNCTION}/handler';
        const rss = () => Number(/VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
        const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const context = () => {
          const started = Date.now();
          return { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900000 - (Date.now() - started) };
        };
        const started = performance.now();
        const result = await runLocalExecution(
          { ...job.options, s3: createS3Client(), lambdas: { [job.functionArn]: (payload) => handler(payload, context()) } },
          job.input,
        );
        const report = result.status === 'SUCCEEDED' ? result.output : { status: 'FAILED', objects: {}, error: { name: result.error, cause: result.cause } };
        process.stdout.write('\\n' + JSON.stringify({ ms: performance.now() - started, rssMb: rss(), report }) + '\\n');
        process.exit(0);`,
      resolveDir: repositoryRoot(),
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    logLevel: 'silent',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
  return outfile;
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
  const bucket = `salesforce-bench-${suffix}`;
  try {
    const { DATABASE_URL: _unused, ...stackEnv } = stack.env;
    Object.assign(process.env, stackEnv);
    await ensureBucket(createS3Client(), { name: bucket });
    const runner = await bundleRunner(work);

    const extract = async (records: number, label: string) => {
      const fake = await startFakeSalesforce({ objects: { [OBJECT]: { records } } });
      try {
        const table = { ...salesforceWatermarkTable(ENVIRONMENT), name: `sf-bench-${label}-${suffix}` };
        await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), table);
        await writeLocalSecret(stackEnv.LOCAL_SECRETS_FILE!, SECRET_ID, fake.secret);
        const env = {
          ...stackEnv,
          ...functionEnv({ rawBucket: bucket, watermarkTable: table.name }, objectConfigs([OBJECT], 'bulk')),
          SALESFORCE_SECRET_ID: SECRET_ID,
        };
        const job = join(work, `${label}.json`);
        await writeFile(
          job,
          JSON.stringify({
            functionArn: localFunctionArn(FUNCTION, ENVIRONMENT),
            options: {
              definition: await renderDefinition(),
              stateMachineArn: localStateMachineArn(`${FUNCTION}-${ENVIRONMENT}`),
              executionName: `bench-${label}-${suffix}`,
              retryIntervalMs: 100,
              waitTimeMs: 50,
            },
            input: { objects: [OBJECT] },
          }),
        );
        log(`${label}: extracting ${records.toLocaleString('en-US')} ${OBJECT} records (bulk)…`);
        const { stdout } = await exec(process.execPath, [runner, job], {
          cwd: repositoryRoot(),
          env: {
            ...env,
            PATH: process.env.PATH ?? '',
            POWERTOOLS_LOG_LEVEL: 'ERROR',
            POWERTOOLS_METRICS_DISABLED: 'true',
            NODE_OPTIONS: values['node-options'],
          },
          maxBuffer: 64 * 1024 * 1024,
        });
        const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as ExtractionRun;
        if (result.report.status !== 'SUCCEEDED')
          throw new Error(`the ${label} extraction failed: ${JSON.stringify(result.report.error)}`);
        return { ...result, fake };
      } catch (error) {
        await fake.stop();
        throw error;
      }
    };

    const small = await extract(values['small-records'], 'small');
    await small.fake.stop();
    const big = await extract(values.records, 'big');
    let raw: { ms: number; bytes: number };
    try {
      log('raw copy: the same query’s result pages, HTTP → one S3 multipart upload…');
      raw = await rawCopy(big.fake.secret, big.report.objects[OBJECT]!.manifestKey, bucket, suffix);
    } finally {
      await big.fake.stop();
    }

    const outcome = big.report.objects[OBJECT]!;
    const perSecond = (records: number, ms: number) => (records / ms) * 1000;
    const mb = (n: number) => `${n.toFixed(0)} MB`;
    const smallOutcome = small.report.objects[OBJECT]!;
    const bigRate = perSecond(outcome.records, big.ms);
    const rawRate = perSecond(outcome.records, raw.ms);
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
              (raw.bytes / 1e6).toFixed(1),
              (raw.ms / 1000).toFixed(1),
              rawRate.toFixed(0),
              '',
            ],
          ],
        ),
        `extraction ran with NODE_OPTIONS=${JSON.stringify(values['node-options'])}`,
        'goals: RSS at the large run ≤ 1.25× the small run and < 256 MB; records/s ≥ 0.50× the raw copy',
        `  RSS ${mb(big.rssMb)} = ${(big.rssMb / small.rssMb).toFixed(2)}× the small run; records/s ${(bigRate / rawRate).toFixed(2)}× the raw copy`,
        '',
      ].join('\n'),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await stack.stop();
  }
}

/**
 * The ceiling: the query the extraction ran (its manifest's field list), as a Bulk job on the
 * same fake, every results page streamed as it arrives into one multipart upload.
 */
async function rawCopy(
  secret: SalesforceSecret,
  manifestKey: string,
  bucket: string,
  suffix: string,
): Promise<{ ms: number; bytes: number }> {
  const { TokenProvider, resetTokenCache } = await import('../../functions/salesforce-extract/auth');
  const { SalesforceClient } = await import('../../functions/salesforce-extract/http');
  const api = await import('../../functions/salesforce-extract/api');
  const manifest = JSON.parse(await readObjectText(bucket, manifestKey)) as { fields: string[] };
  resetTokenCache();
  const client = new SalesforceClient({ tokens: new TokenProvider(secret) });
  const started = performance.now();
  const job = await api.createQueryJob(client, `SELECT ${manifest.fields.join(', ')} FROM ${OBJECT}`, {
    all: false,
  });
  for (;;) {
    const info = await api.getQueryJob(client, job.id);
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`raw copy job ${info.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const sink = new PassThrough();
  let bytes = 0;
  const upload = uploadStream(bucket, `raw-copy/${OBJECT}_${suffix}.csv`, sink, { contentType: 'text/csv' });
  let locator: string | undefined;
  do {
    const page = await api.getQueryResultsPage(client, job.id, { locator, maxRecords: 50_000 });
    for await (const chunk of page.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (!sink.write(chunk)) await new Promise((resolve) => sink.once('drain', resolve));
    }
    locator = page.locator ?? undefined;
  } while (locator);
  sink.end();
  await upload;
  return { ms: performance.now() - started, bytes };
}
