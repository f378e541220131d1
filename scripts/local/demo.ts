/**
 * `npm run local -- demo` (make demo): one embedded stack, every pipeline that has
 * demo arguments run end to end on generated data, then a summary table.
 */
import { pipelines } from './pipelines';
import { startStack } from './stack';

function summarize(json: Record<string, unknown>): string {
  const skip = new Set(['status', 'errors', 'outputKeys', 'executionName']);
  return Object.entries(json)
    .filter(([k]) => !skip.has(k))
    .map(([k, v]) =>
      v && typeof v === 'object'
        ? `${k}: ${Object.entries(v)
            .map(([a, b]) => `${a}=${typeof b === 'object' ? JSON.stringify(b) : String(b)}`)
            .join(' ')}`
        : `${k}=${String(v)}`,
    )
    .join('; ');
}

export async function runDemo(): Promise<number> {
  const entries = Object.entries(pipelines).filter(([, p]) => p.demoArgs);
  if (!entries.length) {
    process.stdout.write('No pipelines are registered for the demo yet.\n');
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
    const { resetPool } = await import('../../functions/shared/db');
    await resetPool();
    await stack.stop();
  }
  const header = ['pipeline', 'status', 'time', 'result'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  process.stdout.write(
    ['', 'Demo summary', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), ''].join('\n'),
  );
  return failed ? 1 : 0;
}
