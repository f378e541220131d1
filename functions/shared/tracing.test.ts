import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { clientSettings } from './aws';
import { repositoryRoot } from './assets';
import { createS3Client } from './s3';
import { buildFunction } from '../../scripts/build/function-zip';
import { extractZip } from '../../scripts/lib/unzip';
import { uniqueName } from '../../scripts/testing/stack';
import {
  csvProcessorResources,
  functionEnv,
  localNames,
} from '../../scripts/local/pipelines/csv-processor-stack';
import { ensureResources } from '../../scripts/local/pipelines/resources';

/**
 * X-Ray tracing as it runs in Lambda: the csv-validator handler, with the variables Lambda sets
 * when active tracing is on, invoked three times in one process; a UDP socket stands in for the
 * X-Ray daemon and receives what the X-Ray SDK emits. The handler runs in a child process because
 * an enabled Tracer patches http/https and keeps async hooks for the life of the process, which
 * in this jest worker would reach every later test file.
 *
 * It runs twice: from source, and from the zip `npm run build` makes (built here into a scratch
 * directory and unpacked into an empty one), where the Tracer is the separate tracer.mjs that
 * index.mjs imports on the first invocation.
 */

interface Doc {
  id: string;
  name: string;
  trace_id?: string;
  parent_id?: string;
  namespace?: string;
  annotations?: Record<string, unknown>;
  fault?: boolean;
  error?: boolean;
  cause?: { exceptions?: { type?: string; message?: string }[] };
  aws?: { operation?: string };
  subsegments?: Doc[];
}

/** Every (sub)segment in what the daemon received, nested ones with their parent's id filled in. */
function flatten(docs: Doc[], parentId?: string): Doc[] {
  return docs.flatMap((doc) => [
    { ...doc, parent_id: doc.parent_id ?? parentId },
    ...flatten(doc.subsegments ?? [], doc.id),
  ]);
}

function traceHeader(n: number): { header: string; root: string; parent: string } {
  const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${String(n).padStart(24, '0')}`;
  const parent = `53995c3f42cd8ad${n}`;
  return { header: `Root=${root};Parent=${parent};Sampled=1`, root, parent };
}

/** The child: imports the handler once (a cold start), then one invocation per trace header. */
const child = (handlerUrl: string) => `
const { handler } = await import(${JSON.stringify(handlerUrl)});
const outcomes = [];
for (const { traceHeader, event } of JSON.parse(process.env.TRACING_TEST_INVOCATIONS)) {
  process.env._X_AMZN_TRACE_ID = traceHeader;
  try {
    outcomes.push({ status: (await handler(event)).status });
  } catch (error) {
    outcomes.push({ error: error.name });
  }
}
process.stdout.write(JSON.stringify(outcomes));
`;

/** How the child gets the handler: node arguments, the script's file extension, the directory it runs in. */
interface Launch {
  args: string[];
  extension: string;
  handlerUrl: string;
  taskRoot: string;
}

/** The handler as the repository has it, compiled on the fly. */
function fromSource(): Launch {
  const handlerUrl = pathToFileURL(join(repositoryRoot(), 'functions/csv-validator/handler.ts')).href;
  return { args: ['--import', 'tsx'], extension: 'mts', handlerUrl, taskRoot: repositoryRoot() };
}

/** The handler as Lambda has it: the built zip unpacked into an empty directory outside the repository. */
async function buildAndUnpack(): Promise<Launch> {
  const scratch = mkdtempSync(join(process.env.PIPELINES_TEST_TMPDIR!, 'tracing-build-'));
  const built = await buildFunction(repositoryRoot(), 'csv-validator', {
    distDir: scratch,
    workDir: join(scratch, 'work'),
  });
  const taskRoot = join(scratch, 'task');
  mkdirSync(taskRoot);
  extractZip(readFileSync(built.zipPath), taskRoot);
  return {
    args: [],
    extension: 'mjs',
    handlerUrl: pathToFileURL(join(taskRoot, 'index.mjs')).href,
    taskRoot,
  };
}

let unpacked: Promise<Launch> | undefined;
const fromZip = () => (unpacked ??= buildAndUnpack());

function runChild(launch: Launch, env: NodeJS.ProcessEnv): Promise<unknown[]> {
  const script = join(process.env.PIPELINES_TEST_TMPDIR!, `tracing-child-${process.pid}.${launch.extension}`);
  writeFileSync(script, child(launch.handlerUrl));
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...launch.args, script], { cwd: launch.taskRoot, env });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(stdout) as unknown[]);
      else reject(new Error(`child exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

describe.each([
  ['from source', async () => fromSource()],
  ['from its built zip', fromZip],
])('X-Ray tracing of csv-validator in a Lambda environment, %s', (_, launcher) => {
  let daemon: Socket;
  let launch: Launch;
  const received: Doc[] = [];
  let outcomes: unknown[];
  const traces = [traceHeader(1), traceHeader(2), traceHeader(3)];

  beforeAll(async () => {
    launch = await launcher();
    daemon = createSocket('udp4');
    daemon.on('message', (message) => {
      // Each datagram: a JSON header line, then one segment document.
      const [, body] = message.toString('utf8').split('\n', 2);
      received.push(JSON.parse(body!) as Doc);
    });
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));

    const names = localNames(uniqueName('tracing'));
    await ensureResources(csvProcessorResources(names), {
      s3: createS3Client(),
      ddb: new DynamoDBClient(clientSettings('DYNAMODB')),
    });
    const keys = ['incoming/first.csv', 'incoming/second.csv'];
    for (const key of keys) {
      await createS3Client().send(
        new PutObjectCommand({
          Bucket: names.inputBucket,
          Key: key,
          Body: 'ユーザーID,ログイン回数,投稿回数\nU00001,12,3\nU00002,0,0\n',
        }),
      );
    }
    // The state machine's input for an upload: the example event, pointed at this test's object.
    const example = JSON.parse(
      readFileSync(join(repositoryRoot(), 'functions/csv-validator/events/object-created.json'), 'utf8'),
    ) as { event: { detail: { bucket: { name: string }; object: { key: string } } } };
    const upload = (key: string) => {
      const event = structuredClone(example);
      event.event.detail.bucket.name = names.inputBucket;
      event.event.detail.object = { key };
      return event;
    };
    const invocations = [
      { traceHeader: traces[0]!.header, event: upload(keys[0]!) },
      { traceHeader: traces[1]!.header, event: upload(keys[1]!) },
      { traceHeader: traces[2]!.header, event: { event: {} } },
    ];
    outcomes = await runChild(launch, {
      ...process.env,
      ...functionEnv(names),
      // What Lambda sets for a function with active tracing (and the runtime's own variables).
      AWS_LAMBDA_FUNCTION_NAME: 'csv-validator-test',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      LAMBDA_TASK_ROOT: launch.taskRoot,
      _HANDLER: 'index.handler',
      AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
      POWERTOOLS_TRACE_ENABLED: 'true',
      TRACING_TEST_INVOCATIONS: JSON.stringify(invocations),
    });
    // Datagrams sent just before the child exited may still be in the socket's queue.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }, 120_000);

  afterAll(() => new Promise<void>((resolve) => daemon.close(() => resolve())));

  const handlerSegment = (n: number) => {
    const found = flatten(received).filter(
      (doc) => doc.name === '## index.handler' && doc.trace_id === traces[n]!.root,
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  };

  it('runs every invocation (tracing changes no outcome)', () => {
    expect(outcomes).toEqual([{ status: 'VALID' }, { status: 'VALID' }, { error: 'InputValidationError' }]);
  });

  it('records each invocation as a subsegment of Lambda’s segment, annotated with the outcome', () => {
    const first = handlerSegment(0);
    expect(first.parent_id).toBe(traces[0]!.parent);
    expect(first.annotations).toEqual({ ColdStart: true, Service: 'csv-validator', status: 'VALID' });
    const second = handlerSegment(1);
    expect(second.parent_id).toBe(traces[1]!.parent);
    expect(second.annotations).toEqual({ ColdStart: false, Service: 'csv-validator', status: 'VALID' });
  });

  it('captures the S3 and DynamoDB clients: each call a subsegment under the invocation', () => {
    for (const n of [0, 1]) {
      const parent = handlerSegment(n);
      const calls = flatten(received).filter((doc) => doc.parent_id === parent.id && doc.namespace === 'aws');
      const services = new Set(calls.map((doc) => doc.name));
      expect(services).toEqual(new Set(['S3', 'DynamoDB']));
      expect(calls.every((doc) => doc.trace_id === undefined || doc.trace_id === traces[n]!.root)).toBe(true);
      expect(calls.map((doc) => doc.aws?.operation)).toEqual(expect.arrayContaining(['PutItem']));
    }
  });

  it('records an invocation’s error on its subsegment', () => {
    const failed = handlerSegment(2);
    expect(failed.fault || failed.error).toBe(true);
    expect(failed.cause?.exceptions?.[0]?.type).toBe('InputValidationError');
    expect(failed.annotations).not.toHaveProperty('status');
  });
});

describe('the built csv-validator zip', () => {
  it('carries the Tracer in tracer.mjs, which index.mjs imports on the first invocation only', async () => {
    const { taskRoot } = await fromZip();
    const code = (file: string) => readFileSync(join(taskRoot, file), 'utf8');
    // The X-Ray SDK's daemon setting, a string only its code holds.
    expect(code('index.mjs')).not.toContain('AWS_XRAY_DAEMON_ADDRESS');
    expect(code('tracer.mjs')).toContain('AWS_XRAY_DAEMON_ADDRESS');
    expect(code('index.mjs')).toContain('import("./tracer.mjs")');
    expect(readdirSync(taskRoot).sort()).toEqual([
      'index.mjs',
      'index.mjs.map',
      'tracer.mjs',
      'tracer.mjs.map',
    ]);
  }, 120_000);
});
