/**
 * `npm run local -- demo` (make demo): one embedded stack, every pipeline that has
 * demo arguments run end to end on generated data, then a summary table that fits
 * in 100 columns.
 */
import { formatTable } from '../lib/table';
import { pipelines } from './pipelines';
import { reserveStdout } from './io';
import { onLocalStack } from './pipelines/runner';

const WIDTH = 100;

/**
 * The counts of a pipeline's JSON result: numbers, objects of numbers, and objects of those
 * (etl's datasets: one part per dataset).
 */
export function countsOf(json: Record<string, unknown>): string[] {
  const isCount = (v: unknown) => typeof v === 'number';
  const isObject = (v: unknown): v is Record<string, unknown> =>
    Boolean(v) && typeof v === 'object' && !Array.isArray(v);
  const countsPart = (key: string, value: unknown): string | undefined => {
    if (!isObject(value)) return undefined;
    const counts = Object.entries(value).filter(([, v]) => isCount(v));
    if (!counts.length || counts.length !== Object.keys(value).length) return undefined;
    return `${key}: ${counts.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`;
  };
  return Object.entries(json).flatMap(([key, value]) => {
    if (key === 'durationMs') return [];
    if (isCount(value)) return [`${key}=${String(value)}`];
    const part = countsPart(key, value);
    if (part) return [part];
    if (isObject(value) && Object.keys(value).length) {
      const parts = Object.entries(value).map(([k, v]) => countsPart(k, v));
      if (parts.every((p): p is string => p !== undefined)) return parts;
    }
    return [];
  });
}

/** Greedy word wrap; a word longer than the width is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = '';
    }
    line = line ? `${line} ${word}` : word;
    while (line.length > width) {
      lines.push(line.slice(0, width));
      line = line.slice(width);
    }
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

/** Parts joined with "; " on as few lines as fit; a part too long for one line is wrapped. */
export function pack(parts: string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const joined = line ? `${line}; ${part}` : part;
    if (joined.length <= width) {
      line = joined;
      continue;
    }
    if (line) lines.push(`${line};`);
    const wrapped = wrap(part, width);
    line = wrapped.pop()!;
    lines.push(...wrapped);
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

export interface DemoRow {
  pipeline: string;
  status: string;
  seconds: number;
  /** Parts of the result, each started on a new line when it does not fit. */
  result: string[];
}

/** The summary table, with the result column wrapped so no line exceeds `width`. */
export function demoTable(rows: DemoRow[], width = WIDTH): string {
  const fixed = ['pipeline', 'status', 'time'].map((h, i) =>
    Math.max(h.length, ...rows.map((r) => [r.pipeline, r.status, `${r.seconds.toFixed(1)}s`][i]!.length)),
  );
  const resultWidth = Math.max(20, width - fixed.reduce((a, b) => a + b, 0) - 2 * fixed.length);
  const cells: string[][] = [];
  for (const row of rows) {
    const lines = pack(row.result, resultWidth);
    lines.forEach((line, i) =>
      cells.push(
        i === 0 ? [row.pipeline, row.status, `${row.seconds.toFixed(1)}s`, line] : ['', '', '', line],
      ),
    );
  }
  return formatTable(['pipeline', 'status', 'time', 'result'], cells, { align: 'left' });
}

export async function runDemo(): Promise<number> {
  // The summary table is the demo's output; every pipeline log goes to stderr.
  const print = reserveStdout();
  const entries = Object.values(pipelines).filter((p) => p.demo);
  const rows: DemoRow[] = [];
  let failed = 0;
  await onLocalStack('demo', { fast: true }, async () => {
    for (const pipeline of entries) {
      const args = pipeline.demo!.args;
      process.stderr.write(`\n▶ ${pipeline.name} ${args.join(' ')}\n`);
      const started = Date.now();
      try {
        const result = await pipeline.run(args);
        process.stderr.write(`${result.text}\n`);
        const status = String(result.json.status ?? 'ok');
        const note = pipeline.demo!.note;
        rows.push({
          pipeline: pipeline.name,
          status,
          seconds: (Date.now() - started) / 1000,
          result: [
            ...(pipeline.demo!.summary?.(result.json) ?? countsOf(result.json)),
            ...(note && note.startsWith(status) ? [`(${note})`] : []),
          ],
        });
      } catch (error) {
        failed += 1;
        rows.push({
          pipeline: pipeline.name,
          status: 'ERROR',
          seconds: (Date.now() - started) / 1000,
          result: [(error as Error).message],
        });
      }
    }
  });
  print(['', 'Demo summary', demoTable(rows), ''].join('\n'));
  return failed ? 1 : 0;
}
