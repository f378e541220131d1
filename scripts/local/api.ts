import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { endpointFor } from '../../functions/shared/aws';
import { pipelineOfManualSource } from '../../functions/shared/runs-pipelines';
import type { RunsApi } from '../../functions/runs-api/api';
import type { EventPublisher } from '../../functions/runs-api/eventbridge';
import { logger, runsApiFromConfig } from '../../functions/runs-api/handler';
import { InvalidValueError, parseCommand, type CommandSpec } from '../lib/args';
import { reserveStdout } from './io';
import { pipelineOf } from './pipelines';
import { lambdaContext } from './pipelines/invoke-function';
import { onLocalStack } from './pipelines/runner';
import { LOCAL_ENVIRONMENT } from './pipelines/runs-ledger';
import { closeServer } from '../lib/close-server';

/**
 * `npm run local -- api [--port N]`: the runs REST API (functions/runs-api) on
 * http://127.0.0.1:<port>, over the local ledger `pipeline-runs-local` where every local
 * command finds it (scripts/local/runs-ledger-store.ts: the `up` stack's DynamoDB, else the
 * folder .local/runs-ledger/, which this command holds and shares while it serves).
 * Each HTTP request becomes the API Gateway REST proxy (v1) event API Gateway would send,
 * and the handler's result becomes the HTTP response, so what answers here is what
 * answers behind API Gateway. There is no IAM locally: requests carry no caller identity.
 */
export const apiCommand = {
  usage: 'npm run local -- api',
  summary: 'Serve the runs REST API on 127.0.0.1 over the local run ledger until Ctrl-C.',
  options: {
    port: {
      type: 'integer',
      description: 'the port to listen on (0: any free port)',
      default: 3100,
      min: 0,
      max: 65535,
    },
  },
  notes: [
    'examples:',
    '  curl -s localhost:3100/runs',
    "  curl -s 'localhost:3100/runs?pipeline=csv-processor&status=FAILED&from=2026-12-01'",
    '  curl -s -X POST localhost:3100/runs/etl -d \'{"date":"2026-12-01"}\'',
    'POST /runs/{pipeline} prints the EventBridge event on stderr (there is no EventBridge locally)',
    'unless AWS_ENDPOINT_URL_EVENTBRIDGE names one.',
  ],
} satisfies CommandSpec;

/** A local stage name, so requestContext.path reads as it would behind API Gateway. */
const STAGE = 'local';
const MAX_BODY_BYTES = 1024 * 1024;

export interface HttpRequestParts {
  method: string;
  /** Path and query string as received (`/runs?pipeline=etl`). */
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
  sourceIp?: string;
}

/** The API Gateway REST proxy (v1) event for one HTTP request (a `{proxy+}` resource). */
export function proxyEvent(request: HttpRequestParts): APIGatewayProxyEvent {
  const url = new URL(request.url, 'http://localhost');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.at(-1)!;
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value;
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const text = request.body.toString('utf8');
  // A body that is not UTF-8 travels base64-encoded, as API Gateway sends binary bodies.
  const binary = request.body.length > 0 && !Buffer.from(text, 'utf8').equals(request.body);
  const now = Date.now();
  return {
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: request.method.toUpperCase(),
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: url.pathname.replace(/^\//, '') },
    stageVariables: null,
    body: request.body.length ? (binary ? request.body.toString('base64') : text) : null,
    isBase64Encoded: binary,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      domainName: headers.host ?? 'localhost',
      httpMethod: request.method.toUpperCase(),
      path: `/${STAGE}${url.pathname}`,
      protocol: 'HTTP/1.1',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      stage: STAGE,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: headers['user-agent'] ?? null,
        userArn: null,
      },
    },
  };
}

/** Writes a handler's proxy result as the HTTP response. */
export function writeResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {}))
    headers[name] = values.map(String);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : Buffer.from(result.body ?? '');
  response.writeHead(result.statusCode, { ...headers, 'content-length': String(body.length) });
  response.end(body);
}

function sendError(response: ServerResponse, statusCode: number, error: string, message: string): void {
  writeResult(response, {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ error, message }),
  });
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export interface ServedApi {
  url: string;
  close(): Promise<void>;
}

/** Serves `api` on host:port through the proxy-event adapter. */
export async function serveApi(
  api: RunsApi,
  options: { port: number; host?: string; context?: () => Context },
): Promise<ServedApi> {
  const host = options.host ?? '127.0.0.1';
  const context =
    options.context ??
    (() => ({ ...lambdaContext('runs-api-local'), awsRequestId: randomUUID() }) as unknown as Context);
  const server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      if (!body)
        return sendError(response, 413, 'PayloadTooLarge', `the body is over ${MAX_BODY_BYTES} bytes`);
      const event = proxyEvent({
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        body,
        sourceIp: request.socket.remoteAddress,
      });
      writeResult(response, await api.resolve(event, context()));
    })().catch((error: unknown) => {
      // The handler answers its own faults; this is the adapter failing, said on stderr.
      process.stderr.write(`runs API adapter: ${(error as Error).stack ?? String(error)}\n`);
      if (!response.headersSent) sendError(response, 500, 'InternalError', 'the local adapter failed');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new InvalidValueError(
              `--port ${options.port}: ${host}:${options.port} is ${error.code === 'EADDRINUSE' ? 'in use' : 'not allowed'}; choose another port`,
            )
          : error,
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    close: () => closeServer(server),
  };
}

/**
 * No EventBridge runs locally: the event a manual trigger would send is printed on stderr
 * (as `aws events put-events` input) and acknowledged with an id, so the request flow is the
 * same; nothing starts. AWS_ENDPOINT_URL_EVENTBRIDGE points the API at a real endpoint instead.
 */
export function printedEvents(write: (text: string) => void): EventPublisher {
  return {
    async putEvents(entries) {
      const ids = entries.map(() => `local-${randomUUID()}`);
      for (const entry of entries) {
        const spec = pipelineOfManualSource(entry.Source);
        const local = spec ? pipelineOf(spec.resource) : undefined;
        write(
          `runs API: not delivered (no EventBridge locally): ${JSON.stringify(entry)}\n` +
            (local ? `  to run it here: npm run local -- ${local.name} (see --help for its options)\n` : ''),
        );
      }
      return { FailedEntryCount: 0, Entries: ids.map((EventId) => ({ EventId })) };
    },
  };
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** `npm run local -- api [--port N]`: serves until SIGINT or SIGTERM, then stops cleanly. */
export async function runApi(argv: string[]): Promise<number> {
  const { values } = parseCommand(apiCommand, argv);
  // Listening from the start: a Ctrl-C while the stack starts still ends in a clean stop.
  let stopped: NodeJS.Signals | undefined;
  let wake = () => undefined as void;
  const onSignal = (signal: NodeJS.Signals) => {
    stopped ??= signal;
    wake();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const print = reserveStdout();
  try {
    return await onLocalStack('api', { longLived: true }, async (ctx) => {
      const table = ctx.env.RUNS_TABLE;
      if (!table) {
        ctx.log('error: no local run ledger to serve (see the runs ledger line above)');
        return 1;
      }
      const api = runsApiFromConfig(
        {
          RUNS_TABLE: table,
          ENVIRONMENT: LOCAL_ENVIRONMENT,
          REQUIRE_IAM_IDENTITY: false,
          EVENT_BUS_NAME: undefined,
          AWS_REGION: process.env.AWS_REGION || 'ap-northeast-1',
        },
        logger,
        endpointFor('EVENTBRIDGE') ? {} : { events: () => printedEvents((t) => process.stderr.write(t)) },
      );
      const served = await serveApi(api, { port: values.port });
      print(`runs API on ${served.url} (ledger ${table}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (stopped) resolve();
      });
      ctx.log(`runs API: stopping (${stopped})`);
      await served.close();
      return 0;
    });
  } finally {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
