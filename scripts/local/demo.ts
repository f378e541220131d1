/**
 * `npm run local -- demo` (make demo): one embedded stack, every pipeline that has
 * demo arguments run end to end on generated data, then a summary table.
 */
import { resetPool } from '../../functions/shared/db';
import { pipelines } from './pipelines';
import { formatTable } from '../lib/table';
import { reserveStdout } from './io';
import { startStack } from './stack';

/** The counts of a pipeline's JSON result: numbers, and objects of numbers, one line. */
function summarize(json: Record<string, unknown>): string {
  const isCount = (v: unknown) => typeof v === 'number';
  return Object.entries(json)
    .flatMap(([key, value]) => {
      if (key === 'durationMs') return [];
      if (isCount(value)) return [`${key}=${String(value)}`];
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        const counts = Object.entries(value).filter(([, v]) => isCount(v));
        if (counts.length && counts.length === Object.keys(value).length) {
          return [`${key}: ${counts.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`];
        }
      }
      return [];
    })
    .join('; ');
}

export async function runDemo(): Promise<number> {
  // The summary table is the demo's output; every pipeline log goes to stderr.
  const print = reserveStdout();
  const entries = Object.entries(pipelines).filter(([, p]) => p.demoArgs);
  if (!entries.length) {
    print('No pipelines are registered for the demo yet.\n');
    return 0;
  }
  process.stderr.write('Starting the embedded stack (PostgreSQL, S3, DynamoDB)…\n');
  const stack = await startStack({ fast: true });
  Object.assign(process.env, stack.env);
  const rows: string[][] = [];
  let failed = 0;
  try {
    for (const [name, pipeline] of entries) {
      process.stderr.write(`\n▶ ${name} ${pipeline.demoArgs!.join(' ')}\n`);
      const started = Date.now();
      try {
        const result = await pipeline.run(pipeline.demoArgs!);
        process.stderr.write(`${result.text}\n`);
        rows.push([
          name,
          String(result.json.status ?? 'ok'),
          `${((Date.now() - started) / 1000).toFixed(1)}s`,
          summarize(result.json),
        ]);
      } catch (error) {
        failed += 1;
        rows.push([
          name,
          'ERROR',
          `${((Date.now() - started) / 1000).toFixed(1)}s`,
          (error as Error).message,
        ]);
      }
    }
  } finally {
    await resetPool();
    await stack.stop();
  }
  print(
    [
      '',
      'Demo summary',
      formatTable(['pipeline', 'status', 'time', 'result'], rows, { align: 'left' }),
      '',
    ].join('\n'),
  );
  return failed ? 1 : 0;
}
