import { randomBytes } from 'node:crypto';
import type { ObjectConfig } from '../../../functions/salesforce-extract/config';
import { createS3Client } from '../../../functions/shared/s3';
import { jstStamp } from '../../../functions/shared/jst';
import { UsageError } from '../../lib/args';
import { localFunctionArn, localStateMachineArn, renderAslFile } from '../stepfunctions/asl';
import { runLocalExecution, type LocalLambda } from '../stepfunctions/local-execution';
import { oneAtATime } from './csv-processor-flow';
import type { LoadedHandler } from './handlers';
import { salesforceWatermarkTable } from './resources';
import type { Org } from './salesforce-extract-stack';

/**
 * salesforce-extract's flow on the local stack: the names and environment Terraform gives the
 * function, the state machine rendered from the same ASL file, one execution of it with a
 * handler (sources or dist zip) as its Lambda, and the check of the named objects against the org.
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
  /** The handler runs in this process (not a dist zip's own). */
  sources: boolean;
  objects: string[];
  full?: boolean;
  waitTimeMs?: number;
}): Promise<ExtractReport> {
  const invoke: LocalLambda = (payload) =>
    (options.handler as (event: unknown, context: unknown) => Promise<unknown>)(payload, sourceContext());
  // A handler from the sources is one execution environment: as in Lambda, one invocation at a
  // time, so the Map's objects never share its module state mid-step (a dist handler scales out).
  const lambda = options.sources ? oneAtATime(invoke) : invoke;
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
