import { randomBytes } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { jstStamp } from '../../../functions/shared/jst';
import type { ExecutionSummary } from '../../../functions/csv-processor/contract';
import {
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  localFunctionArn,
  localStateMachineArn,
  renderAslFile,
} from '../stepfunctions/asl';
import { runLocalExecution, type LocalLambda } from '../stepfunctions/local-execution';
import { INCOMING_PREFIX, RESULTS_PREFIX, type CsvProcessorNames } from './csv-processor-stack';
import { loadHandler } from './handlers';

/**
 * csv-processor's flow: the S3 → EventBridge event, the state machine defined by the
 * same ASL file Terraform deploys (on aws-local-stepfunctions), and its Lambda tasks
 * calling the functions' handlers.
 */
export const STATE_MACHINE_NAME = 'csv-user-log-processor';
export const ASL_FILE = 'csv-processor/asl/csv-user-log-processor.asl.json';

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
export async function distLambdas(
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

export type RawSummary = Partial<ExecutionSummary> & { error?: string; cause?: string; stage?: string };

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
