import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { getHeapSpaceStatistics } from 'node:v8';
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
 * Lambda, or the raw copy it is compared with. Prints one JSON line: ms, rssMb, memory (what
 * the peak was made of), result.
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

/** Where the memory was when RSS was highest (MB): what a peak is made of, not just its size. */
export interface MemoryAtPeak {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Committed size of each V8 heap space (new_space is the young generation's semi-spaces). */
  spaces: Record<string, number>;
}

const MB = 1024 * 1024;

/**
 * Samples process.memoryUsage() every few milliseconds and keeps the sample with the highest
 * RSS (VmHWM gives the peak's size only). The sampler shares the event loop with the run, so a
 * peak inside one long synchronous stretch is seen at its end: close enough for a breakdown.
 */
function sampleMemory(): () => MemoryAtPeak {
  let peak: MemoryAtPeak | undefined;
  const sample = () => {
    const m = process.memoryUsage();

    if (peak && m.rss / MB <= peak.rss) return;
    peak = {
      rss: m.rss / MB,
      heapTotal: m.heapTotal / MB,
      heapUsed: m.heapUsed / MB,
      external: m.external / MB,
      arrayBuffers: m.arrayBuffers / MB,
      spaces: Object.fromEntries(
        getHeapSpaceStatistics()
          .filter((s) => s.space_size > 0)
          .map((s) => [s.space_name, s.space_size / MB]),
      ),
    };
  };
  const timer = setInterval(sample, 10);
  timer.unref();
  return () => {
    clearInterval(timer);
    sample();
    return peak!;
  };
}

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
const memory = sampleMemory();
const started = performance.now();
const result = job.kind === 'extract' ? await extract(job) : await rawCopy(job);
const ms = performance.now() - started;
process.stdout.write(`\n${JSON.stringify({ ms, rssMb: peakRssMb(), memory: memory(), result })}\n`);
process.exit(0);
