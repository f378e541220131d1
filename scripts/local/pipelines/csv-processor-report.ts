import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { repositoryRoot } from '../../../functions/shared/assets';
import { readObjectText } from '../../../functions/shared/s3';
import { LOCAL_RUNS_DIR, type CsvProcessorNames } from './csv-processor-stack';
import type { LocalRunReport, RawSummary } from './csv-processor-flow';

/** What a person reads after a csv-processor run, and the full report kept beside it. */
/** One line of a full report: a validation issue (errors/…json) or a row failure (summary.json). */
interface ReportedError {
  line: number;
  userId?: string | null;
  column?: string | null;
  value?: string | null;
  reason: string;
  detail?: string;
}

export interface FullReport {
  /** s3://bucket/key of the report in the output bucket. */
  s3: string;
  /** The copy under .local/, relative to the repository root. */
  path: string;
  errors: ReportedError[];
}

/**
 * Copies the run's full error report out of the output bucket: the validator's
 * errors/<key>.json for a rejected file, else results/<execution>/summary.json.
 * The copy stays readable after a throw-away stack is gone.
 */
export async function saveFullReport(
  s3: S3Client,
  names: CsvProcessorNames,
  report: LocalRunReport,
): Promise<FullReport | undefined> {
  const key =
    report.outputKeys.find((k) => k.startsWith('errors/')) ??
    report.outputKeys.find((k) => k.endsWith('/summary.json'));
  if (!key) return undefined;
  const text = await readObjectText(names.outputBucket, key, s3);
  const dir = join(repositoryRoot(), LOCAL_RUNS_DIR, report.executionName);
  await mkdir(dir, { recursive: true });
  const file = join(dir, basename(key));
  await writeFile(file, text);
  const parsed = JSON.parse(text) as { errors?: ReportedError[] };
  return {
    s3: `s3://${names.outputBucket}/${key}`,
    path: relative(repositoryRoot(), file),
    errors: parsed.errors ?? [],
  };
}

const SHOWN_ERRORS = 20;

function describeError(e: ReportedError): string {
  const where = `line ${e.line}${e.userId ? ` (${e.userId})` : ''}`;
  const field = e.column ? ` ${e.column}=${JSON.stringify(e.value ?? '')}` : '';
  return `${where}:${field} ${e.reason}${e.detail && !e.reason.includes(e.detail) ? ` — ${e.detail}` : ''}`;
}

export function formatText(
  report: LocalRunReport & { raw: RawSummary },
  full: FullReport | undefined,
  showAll: boolean,
): string {
  const lines = [
    `csv-processor: ${report.status}  (execution ${report.executionName})`,
    `  rows: ${report.rows.total} total, ${report.rows.succeeded} succeeded, ${report.rows.failed} failed`,
  ];
  if (report.status === 'DUPLICATE') {
    lines.push(
      `  this version of the file was already processed by ${report.raw.duplicateOf ?? 'an earlier execution'};`,
      '  add --reprocess to run it again (what `"reprocess": true` does in AWS, see docs/csv-processor.md)',
    );
  }
  const errors: ReportedError[] = showAll && full ? full.errors : report.errors;
  const total = Math.max(report.raw.errorCount ?? 0, report.errors.length, full?.errors.length ?? 0);
  if (errors.length > 0) {
    lines.push('  errors:');
    const shown = showAll ? errors : errors.slice(0, SHOWN_ERRORS);
    for (const e of shown) lines.push(`    ${describeError(e)}`);
    if (total > shown.length) lines.push(`    … ${total - shown.length} more: --show-errors prints them all`);
  }
  if (full)
    lines.push(`  ${total > 0 ? 'full report' : 'summary'}: ${full.s3}`, `    copied to ${full.path}`);
  else if (report.outputKeys.length > 0) lines.push(`  output: ${report.outputKeys.join(', ')}`);
  return lines.join('\n');
}
