import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { clientSettings } from '../shared/aws';
import { createRunsLedger, type RunEnd, type RunsLedger, type RunStart } from '../shared/runs-ledger';
import { ensureTable } from '../../scripts/local/pipelines/resources';
import { runsLedgerTable } from '../../scripts/local/pipelines/runs-ledger';
import { proxyEvent } from '../../scripts/local/api';
import { uniqueName } from '../../scripts/testing/stack';
import type { RunsApi } from './api';

/**
 * What the runs-api tests share: a fresh ledger table in the test stack's DynamoDB (the
 * local table spec, the one the Terraform test compares), and requests made as API Gateway
 * events (the local adapter's proxyEvent, so both are exercised the same way).
 */
export async function freshLedger(): Promise<{ table: string; ledger: RunsLedger }> {
  const table = uniqueName('pipeline-runs');
  await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
    ...runsLedgerTable('test'),
    name: table,
  });
  return { table, ledger: createRunsLedger({ table }) };
}

/** A finished run: recordStart then recordEnd, as the recorder writes one. */
export async function seedRun(
  ledger: RunsLedger,
  run: Omit<RunStart, 'links' | 'trigger'> &
    Partial<Pick<RunStart, 'links' | 'trigger'>> &
    Partial<Pick<RunEnd, 'status' | 'endedAt' | 'counts' | 'error'>>,
): Promise<void> {
  const start: RunStart = {
    pipeline: run.pipeline,
    runId: run.runId,
    trigger: run.trigger ?? 'schedule',
    startedAt: run.startedAt,
    links: run.links ?? { logGroup: `/aws/lambda/${run.pipeline}-test`, requestId: run.runId },
  };
  await ledger.recordStart(start);
  if (run.status && run.status !== 'RUNNING')
    await ledger.recordEnd({
      ...start,
      status: run.status,
      endedAt: run.endedAt ?? new Date(Date.parse(run.startedAt) + 60_000).toISOString(),
      ...(run.counts ? { counts: run.counts } : {}),
      ...(run.error ? { error: run.error } : {}),
    });
}

export const testContext = (): Context =>
  ({
    awsRequestId: randomUUID(),
    functionName: 'runs-api-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:ap-northeast-1:000000000000:function:runs-api-test',
    memoryLimitInMB: '256',
    logGroupName: '/aws/lambda/runs-api-test',
    logStreamName: 'test',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  }) as Context;

export interface Answer {
  status: number;
  headers: Record<string, string>;
  json: Record<string, unknown>;
  result: APIGatewayProxyResult;
}

export const OPERATOR_ARN = 'arn:aws:sts::123456789012:assumed-role/operator/alice';

/** One request through `api` as API Gateway would send it; `identity` adds an IAM caller. */
export async function call(
  api: RunsApi,
  method: string,
  url: string,
  options: { body?: string; identity?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const event = proxyEvent({
    method,
    url,
    headers: { host: 'abc123.execute-api.ap-northeast-1.amazonaws.com', ...options.headers },
    body: Buffer.from(options.body ?? ''),
  });
  if (options.identity)
    Object.assign(event.requestContext.identity, {
      userArn: OPERATOR_ARN,
      accountId: '123456789012',
      caller: 'AROAEXAMPLE:alice',
      accessKey: 'ASIAEXAMPLE',
    });
  const result = await api.resolve(event, testContext());
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(result.body) as Record<string, unknown>;
  } catch {
    // A body that is not JSON fails the test that reads it.
  }
  return { status: result.statusCode, headers, json, result };
}
