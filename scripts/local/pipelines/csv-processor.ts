import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { repositoryRoot } from '../../../functions/shared/assets';
import { clientSettings } from '../../../functions/shared/aws';
import { jstStamp } from '../../../functions/shared/jst';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { createS3Client, readObjectText } from '../../../functions/shared/s3';
import type { ExecutionSummary } from '../../../functions/csv-processor/contract';
import { UsageError } from '../../lib/args';
import { countsFor, csvFile, csvText, encodeCsv, userId } from '../fixtures/csv-user-log';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localFunctionArn,
  localStateMachineArn,
  renderAslFile,
} from '../stepfunctions/asl';
import { runLocalExecution, type LocalLambda } from '../stepfunctions/local-execution';
import { loadHandler } from './handlers';
import { ensureResources, type ResourceSpec } from './resources';
import { definePipeline } from './runner';
import type { RunContext } from './types';

/**
 * csv-processor on the local stack: the file is uploaded to the input bucket, the
 * S3 → EventBridge event is delivered to the state machine defined by the same ASL
 * file Terraform deploys, and its Lambda tasks call the functions' handlers in
 * process, against PostgreSQL, local S3 and DynamoDB. Names and resources mirror
 * infrastructure/terraform/modules/csv-processor (csv-processor.terraform.test.ts
 * keeps them in step).
 */
export const STATE_MACHINE_NAME = 'csv-user-log-processor';
export const ASL_FILE = 'csv-processor/asl/csv-user-log-processor.asl.json';
export const INCOMING_PREFIX = 'incoming/';
export const RESULTS_PREFIX = 'results/';
/** Where a run's full report is copied, so it outlives a throw-away stack. */
export const LOCAL_RUNS_DIR = '.local/runs/csv-processor';

export interface CsvProcessorNames {
  environment: string;
  inputBucket: string;
  outputBucket: string;
  auditTable: string;
  fileClaimsTable: string;
}

/** The names the Terraform module gives an environment, in the local account. */
export function localNames(environment = 'local'): CsvProcessorNames {
  const prefix = `csv-processor-${environment}`;
  return {
    environment,
    inputBucket: `${prefix}-input-${LOCAL_ACCOUNT}`,
    outputBucket: `${prefix}-output-${LOCAL_ACCOUNT}`,
    auditTable: `ProcessingLogs-${environment}`,
    fileClaimsTable: `${prefix}-files`,
  };
}

/** The buckets and tables the Terraform module creates (DESIGN.md §3 for ProcessingLogs). */
export function csvProcessorResources(names: CsvProcessorNames): ResourceSpec {
  return {
    buckets: [{ name: names.inputBucket }, { name: names.outputBucket }],
    tables: [
      {
        name: names.auditTable,
        hashKey: { name: 'executionName', type: 'S' },
        rangeKey: { name: 'timestamp', type: 'S' },
        ttlAttribute: 'ttl',
        indexes: [
          {
            name: 'UserIdIndex',
            hashKey: { name: 'userId', type: 'S' },
            rangeKey: { name: 'timestamp', type: 'S' },
            projection: 'ALL',
          },
        ],
      },
      { name: names.fileClaimsTable, hashKey: { name: 'fileId', type: 'S' }, ttlAttribute: 'ttl' },
    ],
  };
}

export const functionArn = localFunctionArn;

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
  return renderAslFile(ASL_FILE, {
    validator_function_arn: functionArn('csv-validator', names.environment),
    processor_function_arn: functionArn('csv-processor', names.environment),
    output_bucket: names.outputBucket,
    results_prefix: RESULTS_PREFIX,
    batch_size: settings.batchSize,
    max_concurrency: settings.maxConcurrency,
    tolerated_failure_percentage: settings.toleratedFailurePercentage,
  });
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

async function migrate(databaseUrl: string | undefined): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrateDatabase(pool, 'csv-migrate');
  } finally {
    await pool.end();
  }
}

/** Creates what the Terraform module creates, when missing, and applies the schema as csv-migrate does. */
export async function prepareCsvProcessor(
  names: CsvProcessorNames,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await ensureResources(csvProcessorResources(names), {
    s3: createS3Client(env),
    ddb: new DynamoDBClient(clientSettings('DYNAMODB', env)),
  });
  await migrate(env.DATABASE_URL);
}

/**
 * The handlers, loaded after the environment is set (they read it at load time).
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

/**
 * The same functions from dist/<fn>.zip (`--from-dist`): each runs in its own
 * Lambda-like process with `env` only, scaling out as the map runs batches at once.
 */
async function distLambdas(
  names: CsvProcessorNames,
  env: Record<string, string>,
): Promise<{ lambdas: Record<string, LocalLambda>; close(): Promise<void> }> {
  const loaded = await Promise.all(
    ['csv-validator', 'csv-processor'].map(async (fn) => ({
      fn,
      loaded: await loadHandler(fn, { fromDist: true, env }),
    })),
  );
  return {
    lambdas: Object.fromEntries(
      loaded.map(({ fn, loaded: l }) => [
        functionArn(fn, names.environment),
        (payload: unknown) => l.handler(payload),
      ]),
    ),
    close: async () => {
      await Promise.all(loaded.map(({ loaded: l }) => l.close()));
    },
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
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
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
      requester: LOCAL_ACCOUNT,
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
  /** Milliseconds each Wait state pauses instead of its Seconds (see runLocalExecution). */
  waitTimeMs?: number | Record<string, number>;
}

export const newExecutionName = () =>
  `user-log-${jstStamp().replace('_', '-')}-${randomBytes(3).toString('hex')}`;

type RawSummary = Partial<ExecutionSummary> & { error?: string; cause?: string; stage?: string };

/** One state machine execution; returns the JSON contract of `--json`. */
export async function executeStateMachine(
  options: ExecuteOptions,
): Promise<LocalRunReport & { raw: RawSummary }> {
  const executionName = options.executionName ?? newExecutionName();
  const result = await runLocalExecution(
    {
      definition: await renderDefinition(options.names, options.settings),
      lambdas: options.lambdas,
      s3: options.s3,
      stateMachineArn: localStateMachineArn(`${STATE_MACHINE_NAME}-${options.names.environment}`),
      executionName,
      retryIntervalMs: options.retryIntervalMs,
      waitTimeMs: options.waitTimeMs,
    },
    options.event as never,
  );
  let summary: RawSummary;
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

/** One line of a full report: a validation issue (errors/…json) or a row failure (summary.json). */
interface ReportedError {
  line: number;
  userId?: string | null;
  column?: string | null;
  value?: string | null;
  reason: string;
  detail?: string;
}

interface FullReport {
  /** s3://bucket/key of the report in the output bucket. */
  s3: string;
  /** The copy under .local/, relative to the repository root. */
  path: string;
  errors: ReportedError[];
}

/**
 * Copies the run's full error report out of the output bucket: the validator's
 * errors/<key>.json for a rejected file, else results/<execution>/summary.json.
 * The copy stays readable after a throw-away stack is gone.
 */
async function saveFullReport(
  s3: S3Client,
  names: CsvProcessorNames,
  report: LocalRunReport,
): Promise<FullReport | undefined> {
  const key =
    report.outputKeys.find((k) => k.startsWith('errors/')) ??
    report.outputKeys.find((k) => k.endsWith('/summary.json'));
  if (!key) return undefined;
  const text = await readObjectText(names.outputBucket, key, s3);
  const dir = join(repositoryRoot(), LOCAL_RUNS_DIR, report.executionName);
  await mkdir(dir, { recursive: true });
  const file = join(dir, basename(key));
  await writeFile(file, text);
  const parsed = JSON.parse(text) as { errors?: ReportedError[] };
  return {
    s3: `s3://${names.outputBucket}/${key}`,
    path: relative(repositoryRoot(), file),
    errors: parsed.errors ?? [],
  };
}

const SHOWN_ERRORS = 20;

function describeError(e: ReportedError): string {
  const where = `line ${e.line}${e.userId ? ` (${e.userId})` : ''}`;
  const field = e.column ? ` ${e.column}=${JSON.stringify(e.value ?? '')}` : '';
  return `${where}:${field} ${e.reason}${e.detail && !e.reason.includes(e.detail) ? ` — ${e.detail}` : ''}`;
}

function formatText(
  report: LocalRunReport & { raw: RawSummary },
  full: FullReport | undefined,
  showAll: boolean,
): string {
  const lines = [
    `csv-processor: ${report.status}  (execution ${report.executionName})`,
    `  rows: ${report.rows.total} total, ${report.rows.succeeded} succeeded, ${report.rows.failed} failed`,
  ];
  if (report.status === 'DUPLICATE') {
    lines.push(
      `  this version of the file was already processed by ${report.raw.duplicateOf ?? 'an earlier execution'};`,
      '  add --reprocess to run it again (what `"reprocess": true` does in AWS, see docs/csv-processor.md)',
    );
  }
  const errors: ReportedError[] = showAll && full ? full.errors : report.errors;
  const total = Math.max(report.raw.errorCount ?? 0, report.errors.length, full?.errors.length ?? 0);
  if (errors.length > 0) {
    lines.push('  errors:');
    const shown = showAll ? errors : errors.slice(0, SHOWN_ERRORS);
    for (const e of shown) lines.push(`    ${describeError(e)}`);
    if (total > shown.length) lines.push(`    … ${total - shown.length} more: --show-errors prints them all`);
  }
  if (full)
    lines.push(`  ${total > 0 ? 'full report' : 'summary'}: ${full.s3}`, `    copied to ${full.path}`);
  else if (report.outputKeys.length > 0) lines.push(`  output: ${report.outputKeys.join(', ')}`);
  return lines.join('\n');
}

const options = {
  file: { type: 'file', value: 'path.csv', description: 'the CSV to upload and process' },
  rows: {
    type: 'integer',
    min: 1,
    description: 'generate a demo file of this many rows (seeds its users first)',
  },
  reprocess: {
    type: 'boolean',
    description: 'process the file even if this version was already processed (bypasses the claim)',
  },
  'show-errors': { type: 'boolean', description: 'print every error of the full report, not the first 20' },
  'no-audit-success': {
    type: 'boolean',
    description: 'audit failed rows only (audit_successful_rows = false)',
  },
} as const;

export const csvProcessorPipeline = definePipeline({
  name: 'csv-processor',
  summary: 'CSV upload → validator → distributed map → PostgreSQL, audited in DynamoDB (--file F | --rows N)',
  options,
  notes: [
    'examples:',
    '  npm run local -- csv-processor --file users.csv',
    '  npm run local -- csv-processor --rows 1000 --json',
    `A run's full error report is copied to ${LOCAL_RUNS_DIR}/<execution>/.`,
  ],
  functions: ['csv-validator', 'csv-processor', 'csv-migrate'],
  environment: functionEnv(localNames()),
  demo: {
    args: ['--rows', '1000'],
    note: 'PARTIAL by design: every 40th user is not seeded (2.5 % USER_NOT_FOUND, 5 % tolerated)',
  },
  check(values) {
    if (!values.file && values.rows === undefined)
      throw new UsageError('csv-processor needs --file <path.csv> or --rows <n>');
    if (values.file && values.rows !== undefined) throw new UsageError('give --file or --rows, not both');
  },
  async prepare(ctx, values) {
    const names = localNames();
    await prepareCsvProcessor(names, process.env);
    return { env: functionEnv(names, { auditSuccess: !values?.['no-audit-success'] }), names };
  },
  async prepareEvents() {
    // functions/csv-*/events/*.json name these files and users (U99999 is unknown on purpose).
    const names = localNames();
    const s3 = createS3Client();
    const put = (key: string, body: Buffer) =>
      s3.send(
        new PutObjectCommand({ Bucket: names.inputBucket, Key: key, Body: body, ContentType: 'text/csv' }),
      );
    await put(
      `${INCOMING_PREFIX}user-log-20250802.csv`,
      csvFile([
        [userId(1), 12, 3],
        [userId(2), 0, 0],
        ['U99999', 5, 1],
      ]),
    );
    await put(
      `${INCOMING_PREFIX}user-log-20250802-rejected.csv`,
      csvFile([
        [userId(1), 'twelve', 3],
        ['', 1, 1],
        [userId(1), 4, 0],
      ]),
    );
    await seedUsers(process.env.DATABASE_URL!, 2);
  },
  async execute(values, ctx: RunContext, prepared) {
    const { names } = prepared;
    let body: Buffer;
    let fileName: string;
    if (values.file) {
      body = await readFile(values.file);
      fileName = basename(values.file);
    } else {
      const rows = values.rows!;
      ctx.log(`csv-processor: seeding ${rows} users (every 40th left out) and generating ${rows} rows`);
      await seedUsers(process.env.DATABASE_URL!, rows, demoUnknownUser);
      body = demoFile(rows);
      // Unique, so a second demo on a kept `up` stack is a new file, not a DUPLICATE.
      fileName = `demo-${jstStamp()}-${rows}-${randomBytes(2).toString('hex')}.csv`;
    }
    const s3 = createS3Client();
    const uploaded = await uploadInput(s3, names, fileName, body);
    // An operator re-runs a processed version by starting an execution with "reprocess": true.
    const event = values.reprocess ? { ...uploaded, reprocess: true } : uploaded;
    const dist = ctx.fromDist ? await distLambdas(names, { ...ctx.env, ...prepared.env }) : undefined;
    const report = await executeStateMachine({
      names,
      event,
      lambdas: dist?.lambdas ?? (await localLambdas(names)),
      s3,
    }).finally(() => dist?.close());
    const full = await saveFullReport(s3, names, report);
    const json: Record<string, unknown> = {
      status: report.status,
      executionName: report.executionName,
      rows: report.rows,
      errors: report.errors,
      outputKeys: report.outputKeys,
      ...(report.raw.duplicateOf ? { duplicateOf: report.raw.duplicateOf } : {}),
      ...(full ? { fullReport: { s3: full.s3, path: full.path } } : {}),
    };
    return { text: formatText(report, full, values['show-errors']), json };
  },
});

export const seedUsersPipeline = definePipeline({
  name: 'seed-users',
  summary: 'insert demo users U00001… into the csv-processor database (--count N)',
  options: {
    count: { type: 'integer', min: 1, default: 1000, description: 'how many users' },
  },
  functions: [],
  async prepare() {
    await migrate(process.env.DATABASE_URL);
    return { env: {} };
  },
  async execute(values) {
    const count = values.count;
    const inserted = await seedUsers(process.env.DATABASE_URL!, count);
    return {
      text: `seed-users: ${inserted} new user(s) (U00001…${userId(count)}; ${count - inserted} already present)`,
      json: { inserted, requested: count, firstUserId: userId(1), lastUserId: userId(count) },
    };
  },
});
