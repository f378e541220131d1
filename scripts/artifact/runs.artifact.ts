import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { fakeEventBridge } from '../../functions/runs-api/testing';
import { clientSettings } from '../../functions/shared/aws';
import { createS3Client } from '../../functions/shared/s3';
import { ensureTable } from '../local/pipelines/resources';
import { runsLedgerTable } from '../local/pipelines/runs-ledger';
import { streamRecord } from '../local/runs-stream';
import { createBucket, uniqueName } from '../testing/stack';
import { exampleEvent, invokeZip, runZip, stackEnv, type ZipRun } from './support';

/**
 * The run ledger's four zips from empty directories, against one fresh ledger table made from
 * the local resource spec: runs-recorder writes a Step Functions run and a Lambda run from
 * their example events, runs-api reads them back, runs-stream-processor turns the failed
 * run's stream records into a notice, and runs-daily-report writes the day's page and summary.
 * There is no local SNS: a small HTTP endpoint answers the SNS Query API's Publish in its
 * place (AWS_ENDPOINT_URL_SNS), so what the functions publish is checked as SNS receives it.
 */
interface Published {
  TopicArn?: string;
  Subject?: string;
  Message?: string;
}

async function fakeSns(): Promise<{ endpoint: string; published: Published[]; close(): Promise<void> }> {
  const published: Published[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const xml = (status: number, body: string) => {
        response.writeHead(status, { 'content-type': 'text/xml' });
        response.end(`<?xml version="1.0"?>\n${body}`);
      };
      if (form.Action !== 'Publish') {
        xml(
          400,
          `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>only Publish here, got ${form.Action}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
      published.push({ TopicArn: form.TopicArn, Subject: form.Subject, Message: form.Message });
      xml(
        200,
        `<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    published,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('runs (the run ledger) from dist/', () => {
  // The example events name the local stack's state machine and function (`-local`).
  const ENVIRONMENT = 'local';
  const TOPIC = 'arn:aws:sns:ap-northeast-1:000000000000:pipeline-runs-alarms-local';
  const FAILED_RUN = { pipeline: 'csv-processor', runId: 'user-log-20261201-101500-d4e5f6' };
  const LAMBDA_RUN = { pipeline: 'batch-scheduler', runId: '3f1c9a6e-2b7d-4c1e-9a55-0d6e2f7b8c01' };
  // Both example runs start on this JST day (00:00 and 10:15 JST).
  const DAY = '2026-12-01';
  const table = uniqueName('pipeline-runs');
  const bucket = uniqueName('artifact-runs-reports');
  const ddb = new DynamoDBClient(clientSettings('DYNAMODB'));
  let sns: Awaited<ReturnType<typeof fakeSns>>;
  let env: Record<string, string | undefined>;
  // The ledger item after each of the failed run's writes: the images of its stream records.
  const images: Record<string, AttributeValue>[] = [];

  beforeAll(async () => {
    await ensureTable(ddb, { ...runsLedgerTable(ENVIRONMENT), name: table });
    await createBucket(bucket);
    sns = await fakeSns();
    env = {
      ...stackEnv(),
      AWS_ENDPOINT_URL_SNS: sns.endpoint,
      RUNS_TABLE: table,
      ENVIRONMENT,
      ALARM_TOPIC_ARN: TOPIC,
      REPORTS_BUCKET: bucket,
    };
  });
  afterAll(async () => {
    await sns.close();
    ddb.destroy();
  });
  beforeEach(() => {
    sns.published.length = 0;
  });

  async function item(key: { pipeline: string; runId: string }) {
    const { Item } = await ddb.send(
      new GetItemCommand({ TableName: table, Key: marshall(key), ConsistentRead: true }),
    );
    return Item;
  }

  it('runs-recorder records a Step Functions status change (start, then failure) and a Lambda destination record', async () => {
    const recorder = await runZip('runs-recorder', env);
    let stoppedAt = '';
    try {
      // The example start is another execution's; here it is the failed run's own start.
      const start = exampleEvent('runs-recorder', 'sfn-csv-processor-running.json') as {
        detail: { name: string; executionArn: string };
      };
      start.detail.name = FAILED_RUN.runId;
      start.detail.executionArn = start.detail.executionArn.replace(/[^:]+$/, FAILED_RUN.runId);
      await expect(recorder.invoke(start)).resolves.toEqual({
        recorded: [{ ...FAILED_RUN, status: 'RUNNING', outcome: 'recorded' }],
      });
      images.push((await item(FAILED_RUN))!);

      const failed = exampleEvent('runs-recorder', 'sfn-csv-processor-failed.json') as {
        detail: { stopDate: number };
      };
      stoppedAt = new Date(failed.detail.stopDate).toISOString();
      await expect(recorder.invoke(failed)).resolves.toEqual({
        recorded: [{ ...FAILED_RUN, status: 'FAILED', outcome: 'recorded' }],
      });
      images.push((await item(FAILED_RUN))!);
      // A redelivery changes nothing.
      await expect(recorder.invoke(failed)).resolves.toEqual({
        recorded: [{ ...FAILED_RUN, status: 'FAILED', outcome: 'already-recorded' }],
      });

      const destination = exampleEvent('runs-recorder', 'lambda-sync-batch-success.json');
      await expect(recorder.invoke(destination)).resolves.toEqual({
        recorded: [{ ...LAMBDA_RUN, status: 'PARTIAL', outcome: 'recorded' }],
      });

      const unknown = await recorder.invoke({ hello: 'world' }).catch((e: unknown) => e);
      expect(unknown).toMatchObject({ name: 'UnrecognizedRunEventError' });
    } finally {
      await recorder.close();
    }

    expect(unmarshall(images[0]!)).toMatchObject({ ...FAILED_RUN, status: 'RUNNING' });
    expect(unmarshall(images[1]!)).toMatchObject({
      ...FAILED_RUN,
      status: 'FAILED',
      trigger: 'event',
      endedAt: stoppedAt,
      error: { name: 'PROCESSING_FAILED' },
      links: {
        executionArn: expect.stringContaining(`:execution:csv-user-log-processor-local:${FAILED_RUN.runId}`),
      },
    });
    expect(unmarshall((await item(LAMBDA_RUN))!)).toMatchObject({
      ...LAMBDA_RUN,
      status: 'PARTIAL',
      trigger: 'schedule',
      startedAt: '2026-11-30T15:00:00.000Z',
      counts: { failed: 2 },
    });
  });

  it('runs-api answers GET /health, finds the failed run in GET /runs, and names the field of a bad limit', async () => {
    const api: ZipRun = await runZip('runs-api', { ...env, REQUIRE_IAM_IDENTITY: 'true' });
    const call = async (name: string) => {
      const result = await api.invoke<APIGatewayProxyResult>(exampleEvent('runs-api', `${name}.json`));
      return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, unknown> };
    };
    try {
      expect(await call('health')).toEqual({
        status: 200,
        body: expect.objectContaining({ status: 'ok', service: 'runs-api', environment: ENVIRONMENT }),
      });
      // status=FAILED from 2026-11-24: the failed csv-processor run, not the partial one.
      const list = await call('list-runs');
      expect(list.status).toBe(200);
      expect(list.body.runs).toEqual([expect.objectContaining({ ...FAILED_RUN, status: 'FAILED' })]);
      expect(await call('bad-limit')).toEqual({
        status: 400,
        body: { error: 'BadRequest', message: 'limit: must be a whole number from 1 to 100', field: 'limit' },
      });
    } finally {
      await api.close();
    }
  });

  it('runs-api sends a manual trigger through the EventBridge client it ships as eventbridge.mjs', async () => {
    // Only POST loads the client (a chunk beside index.mjs): this proves the chunk is in the zip and loads.
    const bridge = await fakeEventBridge();
    const api = await runZip('runs-api', { ...env, AWS_ENDPOINT_URL_EVENTBRIDGE: bridge.endpoint });
    try {
      const result = await api.invoke<APIGatewayProxyResult>(exampleEvent('runs-api', 'trigger-etl.json'));
      expect(readdirSync(api.taskRoot)).toContain('eventbridge.mjs');
      expect(result.statusCode).toBe(202);
      expect(bridge.received).toHaveLength(1);
      expect(bridge.received[0]!.body.Entries).toEqual([
        {
          Source: 'etl',
          DetailType: 'manual-trigger',
          Detail: JSON.stringify({ environment: ENVIRONMENT, date: '2026-11-30' }),
        },
      ]);
    } finally {
      await api.close();
      await bridge.close();
    }
  });

  it('runs-stream-processor turns INSERT RUNNING then MODIFY FAILED into one notice on the topic', async () => {
    const key = FAILED_RUN;
    const batch = {
      Records: [
        streamRecord(table, key, undefined, images[0]!),
        streamRecord(table, key, images[0], images[1]!),
      ],
    };
    expect(batch.Records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY']);
    await expect(invokeZip('runs-stream-processor', batch, env)).resolves.toEqual({ batchItemFailures: [] });
    expect(sns.published).toEqual([
      {
        TopicArn: TOPIC,
        Subject: expect.stringMatching(/^\[local\] csv-processor FAILED: /),
        Message: expect.stringContaining(FAILED_RUN.runId),
      },
    ]);
  });

  it('runs-daily-report writes reports/<date>.json and .html to the bucket and publishes the summary', async () => {
    const outcome = await invokeZip<{ keys: { json: string; html: string }; failures: number }>(
      'runs-daily-report',
      { date: DAY },
      env,
    );
    expect(outcome).toMatchObject({
      date: DAY,
      bucket,
      keys: { json: `reports/${DAY}.json`, html: `reports/${DAY}.html` },
      totals: { runs: 2, FAILED: 1, PARTIAL: 1 },
      failures: 2,
    });

    const s3 = createS3Client();
    const read = async (key: string) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return { type: object.ContentType, body: await object.Body!.transformToString('utf8') };
    };
    const json = await read(outcome.keys.json);
    expect(json.type).toBe('application/json');
    const report = JSON.parse(json.body) as {
      date: string;
      failures: Array<{ pipeline: string; runId: string }>;
    };
    expect(report.date).toBe(DAY);
    expect(report.failures.map((f) => f.runId).sort()).toEqual([FAILED_RUN.runId, LAMBDA_RUN.runId].sort());
    const html = await read(outcome.keys.html);
    expect(html.type).toBe('text/html; charset=utf-8');
    expect(html.body).toMatch(/^<!doctype html>/i);
    expect(html.body).toContain(FAILED_RUN.runId);

    expect(sns.published).toEqual([
      {
        TopicArn: TOPIC,
        Subject: expect.stringContaining(DAY),
        Message: expect.stringContaining(
          `Pipeline runs on ${DAY} (JST), local: 2 runs: 1 partial, 1 failed.`,
        ),
      },
    ]);
    expect(sns.published[0]!.Message).toContain(`s3://${bucket}/${outcome.keys.html}`);
  });
});
