import { randomBytes } from 'node:crypto';
import { resetSecretsCache } from '../../../functions/shared/secrets';
import { createS3Client } from '../../../functions/shared/s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientSettings } from '../../../functions/shared/aws';
import { jstStamp } from '../../../functions/shared/jst';
import { parseCommand, UsageError, type ParsedValues } from '../../lib/args';
import { formatTable } from '../../lib/table';
import { localFunctionArn, localStateMachineArn, renderAslFile } from '../stepfunctions/asl';
import { runLocalExecution, type LocalLambda } from '../stepfunctions/local-execution';
import { writeLocalSecret } from '../secrets-file';
import { loadHandler, type LoadedHandler } from './handlers';
import { ensureBucket, ensureTable, salesforceWatermarkTable } from './resources';
import { definePipeline, withEnv } from './runner';
import { acquireStorage, startOrg, type Org } from './salesforce-extract-stack';
import type { LocalPipeline, PipelineResult, RunContext } from './types';

/**
 * `npm run local -- salesforce-extract [--objects Account,Contact] [--records N] [--mode auto|rest|bulk] [--full] [--json]`
 *
 * The state machine Terraform deploys (the same ASL file, on aws-local-stepfunctions, its Wait
 * states shortened) with the salesforce-extract handler as its Lambda, against the fake org
 * (or SALESFORCE_SECRET_FILE's), writing to S3 and keeping watermarks in DynamoDB, so a second
 * run extracts only what changed. Storage: see salesforce-extract-stack.ts.
 */
export const FUNCTION = 'salesforce-extract';
export const ENVIRONMENT = 'local';
export const ASL_FILE = 'salesforce-extract/asl/salesforce-extract.asl.json';
export const RAW_BUCKET = 'salesforce-extract-local-raw';
export const SECRET_ID = 'salesforce-extract-local/jwt';
export const DEFAULT_OBJECTS = ['Account', 'Contact'];
/** Map concurrency, as the Terraform variable's default. */
const MAX_CONCURRENCY = 2;
/** What each Wait state pauses locally: a bulk job's polling loop takes moments, not minutes. */
const WAIT_MS = 50;

const MODES = ['auto', 'rest', 'bulk'] as const;

const options = {
  objects: {
    type: 'list',
    value: 'A,B',
    description: `objects to extract (default ${DEFAULT_OBJECTS.join(',')})`,
  },
  records: {
    type: 'integer',
    min: 0,
    max: 10_000_000,
    description: 'records per object in the fake org (ignored with SALESFORCE_SECRET_FILE)',
  },
  mode: { type: 'string', choices: MODES, default: 'auto', description: 'REST, Bulk API 2.0, or by count' },
  full: {
    type: 'boolean',
    description: 'ignore the watermarks this run, and set them afresh when it succeeds',
  },
} as const;

type Values = ParsedValues<typeof options> & { json: boolean; 'from-dist': boolean };

export interface ObjectConfig {
  name: string;
  fields: '*';
  mode: (typeof MODES)[number];
  incremental: true;
  includeDeleted: false;
}

export const objectConfigs = (names: string[], mode: ObjectConfig['mode'] = 'auto'): ObjectConfig[] =>
  names.map((name) => ({ name, fields: '*', mode, incremental: true, includeDeleted: false }));

/** The environment Terraform gives the function, with local names. */
export function functionEnv(
  names: { rawBucket: string; watermarkTable: string },
  objects: ObjectConfig[],
): Record<string, string> {
  return {
    RAW_BUCKET: names.rawBucket,
    WATERMARK_TABLE: names.watermarkTable,
    SALESFORCE_SECRET_ID: SECRET_ID,
    SALESFORCE_OBJECTS: JSON.stringify(objects),
    POWERTOOLS_SERVICE_NAME: FUNCTION,
    AWS_LAMBDA_FUNCTION_NAME: `${FUNCTION}-${ENVIRONMENT}`,
  };
}

export interface ObjectOutcome {
  mode: string;
  records: number;
  key: string;
  bytes: number;
  manifestKey: string;
}

export interface ExtractReport {
  status: string;
  objects: Record<string, ObjectOutcome>;
  error?: { name: string; cause: string };
}

/** The state machine as Terraform renders it, with the local function's ARN. */
export function renderDefinition(
  settings: { maxConcurrency?: number; pollSeconds?: number; maxPolls?: number } = {},
) {
  return renderAslFile(ASL_FILE, {
    function_arn: localFunctionArn(FUNCTION, ENVIRONMENT),
    max_concurrency: settings.maxConcurrency ?? MAX_CONCURRENCY,
    // Locally every Wait is shortened to WAIT_MS; these are what the module's defaults mean in AWS.
    poll_seconds: settings.pollSeconds ?? 15,
    max_polls: settings.maxPolls ?? 240,
  });
}

/** RAW_BUCKET and WATERMARK_TABLE name others (an external S3 and DynamoDB, a test's own). */
export const localNames = (env: NodeJS.ProcessEnv = process.env) => ({
  rawBucket: env.RAW_BUCKET || RAW_BUCKET,
  watermarkTable: env.WATERMARK_TABLE || salesforceWatermarkTable(ENVIRONMENT).name,
});

/** A Lambda context for a handler run from the sources: the 15-minute budget a deployed one has. */
function sourceContext() {
  const started = Date.now();
  return {
    functionName: `${FUNCTION}-${ENVIRONMENT}`,
    awsRequestId: `local-${randomBytes(8).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, 900_000 - (Date.now() - started)),
  };
}

/** One execution of the state machine with `handler` as its Lambda; the report `--json` prints. */
export async function executeExtraction(options: {
  handler: LoadedHandler['handler'];
  objects: string[];
  full?: boolean;
  waitTimeMs?: number;
}): Promise<ExtractReport> {
  const lambda: LocalLambda = (payload) =>
    (options.handler as (event: unknown, context: unknown) => Promise<unknown>)(payload, sourceContext());
  const result = await runLocalExecution(
    {
      definition: await renderDefinition(),
      lambdas: { [localFunctionArn(FUNCTION, ENVIRONMENT)]: lambda },
      s3: createS3Client(),
      stateMachineArn: localStateMachineArn(`${FUNCTION}-${ENVIRONMENT}`),
      executionName: `local-${jstStamp().replace('_', '-')}-${randomBytes(3).toString('hex')}`,
      retryIntervalMs: 100,
      waitTimeMs: options.waitTimeMs ?? WAIT_MS,
    },
    { objects: options.objects, ...(options.full ? { full: true } : {}) },
  );
  if (result.status === 'SUCCEEDED') {
    const output = result.output as ExtractReport;
    return { status: output.status, objects: output.objects };
  }
  return { status: 'FAILED', objects: {}, error: { name: result.error, cause: result.cause } };
}

/**
 * The names the org knows for `objects` (describe's casing), or one line naming the first it
 * does not know. Also the run's first token: a wrong secret is reported before anything runs.
 */
export async function resolveObjects(org: Org, objects: string[]): Promise<string[]> {
  const { TokenProvider, resetTokenCache } = await import('../../../functions/salesforce-extract/auth');
  const { SalesforceClient } = await import('../../../functions/salesforce-extract/http');
  const { describeObject } = await import('../../../functions/salesforce-extract/api');
  resetTokenCache();
  const client = new SalesforceClient({ tokens: new TokenProvider(org.secret), retry: { attempts: 2 } });
  const names: string[] = [];
  for (const object of objects) {
    try {
      names.push((await describeObject(client, object)).name);
    } catch (error) {
      const e = error as Error & { details?: { status?: number; errorCode?: string } };
      if (
        e.name === 'SalesforceApiError' &&
        (e.details?.status === 404 || e.details?.errorCode === 'NOT_FOUND')
      )
        throw new UsageError(`--objects: ${object} is not an object of ${org.description}`);
      if (e.name === 'SalesforceAuthError')
        throw new UsageError(`the org refused the token request: ${e.message}`);
      throw error;
    }
  }
  return names;
}

function formatText(report: ExtractReport, context: { stack: string; org: string; bucket: string }): string {
  const rows = Object.entries(report.objects).map(([name, o]) => [
    name,
    o.mode,
    String(o.records),
    String(o.bytes),
    o.key,
  ]);
  return [
    `salesforce-extract ${report.status}`,
    ...(rows.length ? [formatTable(['object', 'mode', 'records', 'bytes', 'key'], rows)] : []),
    ...(report.error ? [`  ${report.error.name}: ${report.error.cause}`] : []),
    `  bucket  s3://${context.bucket}`,
    `  org     ${context.org}`,
    `  stack   ${context.stack}`,
  ].join('\n');
}

interface PreparedExtract {
  env: Record<string, string>;
  objects: string[];
  org: Org;
  /** Which S3 and DynamoDB the run uses, for the summary. */
  storage?: string;
  cleanup(): Promise<void>;
}

/** The org, and the named objects as it knows them: bad input is found before any storage starts. */
async function openOrg(ctx: RunContext, values?: Values): Promise<{ org: Org; objects: string[] }> {
  const requested = values?.objects.length ? values.objects : DEFAULT_OBJECTS;
  const org = await startOrg({ objects: requested, records: values?.records, log: ctx.log });
  try {
    return { org, objects: await resolveObjects(org, requested) };
  } catch (error) {
    await org.stop();
    throw error;
  }
}

/** The secret, bucket and watermark table on the storage process.env points at; the function's environment. */
async function prepareStorage(org: Org, objects: string[], values?: Values): Promise<Record<string, string>> {
  const secretsFile = process.env.LOCAL_SECRETS_FILE;
  if (!secretsFile) throw new Error('salesforce-extract needs LOCAL_SECRETS_FILE from the local stack');
  await writeLocalSecret(secretsFile, SECRET_ID, org.secret);
  const names = localNames();
  await ensureBucket(createS3Client(), { name: names.rawBucket });
  await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
    ...salesforceWatermarkTable(ENVIRONMENT),
    name: names.watermarkTable,
  });
  return functionEnv(names, objectConfigs(objects, values?.mode as ObjectConfig['mode'] | undefined));
}

async function prepare(ctx: RunContext, values?: Values): Promise<PreparedExtract> {
  const { org, objects } = await openOrg(ctx, values);
  try {
    const env = await prepareStorage(org, objects, values);
    return { env, objects, org, cleanup: () => org.stop() };
  } catch (error) {
    await org.stop();
    throw error;
  }
}

const descriptor = {
  name: FUNCTION,
  summary: 'Salesforce (fake org, or SALESFORCE_SECRET_FILE) → S3 CSV + manifest, incremental by watermark',
  options,
  notes: [
    'examples:',
    '  npm run local -- salesforce-extract --objects Account,Contact --records 5000',
    '  npm run local -- salesforce-extract --objects Account --full --json',
    'Storage: AWS_ENDPOINT_URL(_S3/_DYNAMODB), else the `up` stack, else S3 and DynamoDB kept in',
    '.local/salesforce-extract/ (SALESFORCE_EXTRACT_DATA_DIR). Bucket: RAW_BUCKET (default ' +
      RAW_BUCKET +
      ').',
  ],
  functions: [FUNCTION],
  environment: functionEnv(
    { rawBucket: RAW_BUCKET, watermarkTable: salesforceWatermarkTable(ENVIRONMENT).name },
    objectConfigs(DEFAULT_OBJECTS),
  ),
  demo: { args: ['--objects', 'Account,Contact', '--records', '3000'] },
  prepare,
  async execute(values: Values, ctx: RunContext, prepared: PreparedExtract): Promise<PipelineResult> {
    // A dist handler sees only its own environment: the log level a person set reaches it too.
    const passed = ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED'].filter((k) => process.env[k]);
    const loaded = await loadHandler(FUNCTION, {
      fromDist: ctx.fromDist,
      env: { ...ctx.env, ...Object.fromEntries(passed.map((k) => [k, process.env[k]])), ...prepared.env },
    });
    try {
      const report = await executeExtraction({
        handler: loaded.handler,
        objects: prepared.objects,
        full: values.full,
      });
      const text = formatText(report, {
        stack: prepared.storage ?? 'the stack `npm run invoke` runs on',
        org: prepared.org.description,
        bucket: prepared.env.RAW_BUCKET!,
      });
      return { text, json: report as unknown as Record<string, unknown> };
    } finally {
      await loaded.close();
    }
  },
};

const base = definePipeline(descriptor);
// No database here: the runner's --database-url does not apply.
const { 'database-url': _database, ...commandOptions } = base.command.options;
const command = { ...base.command, options: commandOptions };

/**
 * Runs on storage chosen by acquireStorage rather than the runner's stack: a throw-away stack
 * would take the watermarks with it, and this pipeline needs no PostgreSQL.
 */
async function run(args: string[]): Promise<PipelineResult> {
  const { values: parsed } = parseCommand(command, args);
  const values = parsed as Values;
  const log = (message: string) => process.stderr.write(`${message}\n`);
  const ctx: RunContext = { env: {}, databaseGiven: false, fromDist: values['from-dist'], log };
  const { org, objects } = await openOrg(ctx, values);
  try {
    const storage = await acquireStorage();
    log(`${FUNCTION}: ${org.description}; storage: ${storage.description}`);
    try {
      return await withEnv(storage.env, async () => {
        const env = await prepareStorage(org, objects, values);
        const prepared = { env, objects, org, storage: storage.description, cleanup: async () => undefined };
        return withEnv(env, () => descriptor.execute(values, { ...ctx, env: storage.env }, prepared));
      });
    } finally {
      resetSecretsCache();
      await storage.release();
    }
  } finally {
    await org.stop();
  }
}

export const salesforceExtractPipeline: LocalPipeline = { ...base, command, run };
