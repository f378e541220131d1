import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ObjectConfig } from '../../../functions/salesforce-extract/config';
import { clientSettings } from '../../../functions/shared/aws';
import { resetSecretsCache } from '../../../functions/shared/secrets';
import { createS3Client } from '../../../functions/shared/s3';
import { parseCommand, type ParsedValues } from '../../lib/args';
import { formatTable } from '../../lib/table';
import { writeLocalSecret } from '../secrets-file';
import { loadHandler } from './handlers';
import { ensureBucket, ensureTable, salesforceWatermarkTable } from './resources';
import { definePipeline, withEnv } from './runner';
import {
  DEFAULT_OBJECTS,
  ENVIRONMENT,
  executeExtraction,
  FUNCTION,
  functionEnv,
  localNames,
  objectConfigs,
  RAW_BUCKET,
  resolveObjects,
  SECRET_ID,
  type ExtractReport,
} from './salesforce-extract-flow';
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
export * from './salesforce-extract-flow';

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
  demo: {
    args: ['--objects', 'Account,Contact', '--records', '3000'],
    // Per object: how it went and how much, not the keys (countsOf leaves out objects with text).
    summary: (json: Record<string, unknown>) =>
      Object.entries((json as unknown as ExtractReport).objects).map(
        ([name, o]) => `${name}: ${o.mode} records=${o.records} bytes=${o.bytes}`,
      ),
  },
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
        sources: !ctx.fromDist,
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
      // As every local command: the run ledger hears of the execution (RUNS_TABLE from acquireStorage).
      const env = storage.env;
      return await withEnv(env, async () => {
        const fnEnv = await prepareStorage(org, objects, values);
        const prepared = {
          env: fnEnv,
          objects,
          org,
          storage: storage.description,
          cleanup: async () => undefined,
        };
        return withEnv(fnEnv, () => descriptor.execute(values, { ...ctx, env }, prepared));
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
