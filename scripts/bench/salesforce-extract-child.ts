import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { createS3Client, uploadStream } from '../../functions/shared/s3';
import type { SalesforceSecret } from '../../functions/salesforce-extract/secret';
import { TokenProvider } from '../../functions/salesforce-extract/auth';
import { SalesforceClient } from '../../functions/salesforce-extract/http';
import * as api from '../../functions/salesforce-extract/api';
import { handler } from '../../functions/salesforce-extract/handler';
import { runLocalExecution, type LocalExecutionOptions } from '../local/stepfunctions/local-execution';

/**
 * One measured run of `npm run bench -- salesforce-extract`, bundled as the build bundles a
 * function and started in a Node process of its own (scripts/bench/salesforce-extract.ts), so its
 * peak RSS (VmHWM) is this run's alone: either the whole state machine with the handler as its
 * Lambda, or the raw copy it is compared with. Prints one JSON line: ms, rssMb, result.
 */
export type ChildJob =
  | {
      kind: 'extract';
      functionArn: string;
      options: Omit<LocalExecutionOptions, 'lambdas' | 's3'>;
      input: { objects: string[] };
    }
  | {
      kind: 'raw';
      secret: SalesforceSecret;
      soql: string;
      bucket: string;
      key: string;
      pageRecords: number;
    };

const peakRssMb = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

function lambdaContext() {
  const started = Date.now();
  return { awsRequestId: 'bench', getRemainingTimeInMillis: () => 900_000 - (Date.now() - started) };
}

async function extract(job: Extract<ChildJob, { kind: 'extract' }>): Promise<unknown> {
  const result = await runLocalExecution(
    {
      ...job.options,
      s3: createS3Client(),
      lambdas: { [job.functionArn]: (payload) => handler(payload, lambdaContext()) },
    },
    job.input,
  );
  return result.status === 'SUCCEEDED'
    ? result.output
    : { status: 'FAILED', objects: {}, error: { name: result.error, cause: result.cause } };
}

/**
 * The ceiling: the same query as a Bulk job, every results page streamed as it arrives into one
 * S3 multipart upload: HTTP → S3 with no parsing and no re-serialization.
 */
async function rawCopy(job: Extract<ChildJob, { kind: 'raw' }>): Promise<{ bytes: number }> {
  const client = new SalesforceClient({ tokens: new TokenProvider(job.secret) });
  const created = await api.createQueryJob(client, job.soql, { all: false });
  for (;;) {
    const info = await api.getQueryJob(client, created.id);
    if (info.state === 'JobComplete') break;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`raw copy job ${info.state}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const sink = new PassThrough();
  const upload = uploadStream(job.bucket, job.key, sink, { contentType: 'text/csv' });
  let bytes = 0;
  let locator: string | undefined;
  do {
    const page = await api.getQueryResultsPage(client, created.id, { locator, maxRecords: job.pageRecords });
    for await (const chunk of page.body as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      if (!sink.write(chunk)) await new Promise((resolve) => sink.once('drain', resolve));
    }
    locator = page.locator ?? undefined;
  } while (locator);
  sink.end();
  await upload;
  return { bytes };
}

const job = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ChildJob;
const started = performance.now();
const result = job.kind === 'extract' ? await extract(job) : await rawCopy(job);
process.stdout.write(
  `\n${JSON.stringify({ ms: performance.now() - started, rssMb: peakRssMb(), result })}\n`,
);
process.exit(0);
