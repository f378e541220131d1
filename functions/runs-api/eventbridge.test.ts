import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRunsApi } from './api';
import { createEventBridge, EventBridgeError } from './eventbridge';
import {
  acceptedReply,
  call,
  fakeEventBridge,
  freshLedger,
  type PutEventsReply,
  type ReceivedPutEvents,
} from './testing';

/**
 * The EventBridge client against a tiny local HTTP endpoint that speaks PutEvents as
 * EventBridge does (AWS JSON 1.1): what goes on the wire, SigV4, FailedEntryCount, errors,
 * and the API's manual trigger end to end through it.
 */
let bridge: Awaited<ReturnType<typeof fakeEventBridge>>;
let endpoint: string;
let received: ReceivedPutEvents[];
let replies: PutEventsReply[];

beforeAll(async () => {
  bridge = await fakeEventBridge();
  endpoint = bridge.endpoint;
});

afterAll(() => bridge.close());

beforeEach(() => {
  bridge.received.length = 0;
  bridge.replies.length = 0;
  ({ received, replies } = bridge);
});

const client = (options: { maxAttempts?: number } = {}) =>
  createEventBridge({
    env: { AWS_ENDPOINT_URL_EVENTBRIDGE: endpoint, AWS_REGION: 'ap-northeast-1' },
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    baseDelayMs: 1,
    ...options,
  });

describe('createEventBridge().putEvents', () => {
  it('sends a SigV4-signed AWS JSON 1.1 PutEvents request', async () => {
    const out = await client().putEvents([
      { Source: 'etl', DetailType: 'manual-trigger', Detail: '{"environment":"dev"}' },
    ]);
    expect(out).toEqual({
      FailedEntryCount: 0,
      Entries: [{ EventId: '11111111-2222-3333-4444-000000000000' }],
    });
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/');
    expect(request!.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(request!.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(request!.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/ap-northeast-1\/events\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*x-amz-target[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request!.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
    expect(request!.body).toEqual({
      Entries: [{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{"environment":"dev"}' }],
    });
  });

  it('passes FailedEntryCount and the entry errors back as EventBridge gives them', async () => {
    replies.push({
      status: 200,
      body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] },
    });
    await expect(
      client().putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }]),
    ).resolves.toEqual({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
  });

  it('sends again after throttling, and only then', async () => {
    replies.push(
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      acceptedReply(),
    );
    const out = await client().putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }]);
    expect(out.FailedEntryCount).toBe(0);
    expect(received).toHaveLength(3);
  });

  it('gives up on throttling after its attempts, naming the error', async () => {
    replies.push(
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
    );
    const error = await client({ maxAttempts: 2 })
      .putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventBridgeError);
    expect(error).toMatchObject({ code: 'ThrottlingException', statusCode: 400 });
    expect(received).toHaveLength(2);
  });

  it('does not resend other errors (a second PutEvents could start a second run)', async () => {
    replies.push({
      status: 400,
      body: {
        __type: 'com.amazon.coral.service#AccessDeniedException',
        Message: 'not authorized to PutEvents',
      },
    });
    await expect(
      client().putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }]),
    ).rejects.toThrow('EventBridge AccessDeniedException: not authorized to PutEvents');
    replies.push({ status: 500, body: { __type: 'InternalException', message: 'boom' } });
    await expect(
      client().putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }]),
    ).rejects.toMatchObject({ code: 'InternalException' });
    expect(received).toHaveLength(2);
  });

  it('refuses an answer that is not PutEvents output', async () => {
    replies.push({ status: 200, body: { hello: 'world' } });
    await expect(
      client().putEvents([{ Source: 'etl', DetailType: 'manual-trigger', Detail: '{}' }]),
    ).rejects.toMatchObject({ code: 'InvalidResponse' });
  });

  it('names an endpoint that does not answer', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const bridge = createEventBridge({
      env: { AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port}` },
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    await expect(bridge.putEvents([{ Source: 'etl', DetailType: 'x', Detail: '{}' }])).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });
});

describe('POST /runs/{pipeline} through the real client', () => {
  it('puts the same entry as `aws events put-events --entries Source=…,DetailType=manual-trigger,Detail=…`', async () => {
    const { ledger } = await freshLedger();
    const api = createRunsApi({
      ledger: () => ledger,
      events: () => client(),
      environment: 'dev',
      region: 'ap-northeast-1',
      requireIamIdentity: true,
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: () => undefined,
        debug: () => undefined,
      },
    });
    const answer = await call(api, 'POST', '/runs/salesforce-extract', {
      identity: true,
      body: '{"objects":["Account","Opportunity"]}',
      headers: { 'content-type': 'application/json' },
    });
    expect(answer.status).toBe(202);
    expect(answer.json.eventId).toBe('11111111-2222-3333-4444-000000000000');
    expect(received.map((r) => r.body)).toEqual([
      {
        Entries: [
          {
            Source: 'salesforce-extract',
            DetailType: 'manual-trigger',
            Detail: '{"environment":"dev","objects":["Account","Opportunity"]}',
          },
        ],
      },
    ]);

    replies.push({
      status: 200,
      body: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'unavailable' }] },
    });
    const refused = await call(api, 'POST', '/runs/salesforce-extract', { identity: true });
    expect(refused.status).toBe(502);
    expect(refused.json.error).toBe('TriggerNotAccepted');
  });
});
