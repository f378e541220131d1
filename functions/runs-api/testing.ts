import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { clientSettings } from '../shared/aws';
import {
  createRunsLedger,
  type RunEnd,
  type RunsLedger,
  type RunStart,
  type RunStatus,
} from '../shared/runs-ledger';
import { ensureTable } from '../../scripts/local/pipelines/resources';
import { runsLedgerTable } from '../../scripts/local/pipelines/runs-ledger';
import { printedEvents, proxyEvent } from '../../scripts/local/api';
import { uniqueName } from '../../scripts/testing/stack';
import { createRunsApi, type RunsApi, type RunsApiOptions } from './api';

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
    Partial<Pick<RunEnd, 'endedAt' | 'counts' | 'error'>> & { status?: RunStatus },
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

/** The API as `npm run local -- api` builds it over `ledger`, with the events it would send appended to `printed`. */
export function localRunsApi(
  ledger: RunsLedger,
  printed: string[],
  logger: RunsApiOptions['logger'],
): RunsApi {
  return createRunsApi({
    ledger: () => ledger,
    events: () => printedEvents((text) => printed.push(text)),
    environment: 'local',
    region: 'ap-northeast-1',
    requireIamIdentity: false,
    logger,
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
  // The v1 result splits list-valued headers (Allow) into multiValueHeaders.
  const headers = Object.fromEntries([
    ...Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
    ...Object.entries(result.multiValueHeaders ?? {}).map(([k, v]) => [k.toLowerCase(), v.join(', ')]),
  ]);
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(result.body) as Record<string, unknown>;
  } catch {
    // A body that is not JSON fails the test that reads it.
  }
  return { status: result.statusCode, headers, json, result };
}

export interface ReceivedPutEvents {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

export type PutEventsReply = { status: number; body: unknown };

export const acceptedReply = (count = 1): PutEventsReply => ({
  status: 200,
  body: {
    FailedEntryCount: 0,
    Entries: Array.from({ length: count }, (_, i) => ({
      EventId: `11111111-2222-3333-4444-00000000000${i}`,
    })),
  },
});

/**
 * A tiny HTTP endpoint in EventBridge's place: it keeps each PutEvents request and answers
 * with the next queued reply (accepted by default), as EventBridge answers AWS JSON 1.1.
 */
export async function fakeEventBridge(): Promise<{
  endpoint: string;
  received: ReceivedPutEvents[];
  replies: PutEventsReply[];
  close(): Promise<void>;
}> {
  const received: ReceivedPutEvents[] = [];
  const replies: PutEventsReply[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method!,
        url: request.url!,
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      const reply = replies.shift() ?? acceptedReply();
      response.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    replies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
