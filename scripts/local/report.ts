import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';
import { jstDate, jstDayRange } from '../../functions/shared/jst';
import { createRunsLedger } from '../../functions/shared/runs-ledger';
import { renderReportHtml } from '../../functions/runs-daily-report/html';
import { buildReport } from '../../functions/runs-daily-report/report';
import { InvalidValueError, parseCommand, type CommandSpec } from '../lib/args';
import { reserveStdout } from './io';
import { onLocalStack } from './pipelines/runner';
import { LOCAL_ENVIRONMENT } from './pipelines/runs-ledger';

/**
 * `npm run local -- report [--date D]`: the daily report page (functions/runs-daily-report)
 * for the local ledger `pipeline-runs-local`, written to .local/reports/<date>.html with its
 * JSON next to it; stdout is the page's path. The day defaults to today in JST, the day the
 * local runs just made fall on (in AWS the schedule reports yesterday).
 */
export const reportCommand = {
  usage: 'npm run local -- report',
  summary: 'Write the runs report page for the local ledger to .local/reports/ and print its path.',
  options: {
    date: {
      type: 'string',
      value: 'YYYY-MM-DD',
      description: 'the JST day to report (default: today in JST)',
    },
    out: {
      type: 'string',
      value: 'DIR',
      description: 'the folder to write to (default: .local/reports)',
    },
  },
  notes: ['example: npm run local -- csv-processor --rows 100 && npm run local -- report'],
} satisfies CommandSpec;

export function reportDay(value: string | undefined, now: Date = new Date()): string {
  if (value === undefined) return jstDate(now);
  try {
    jstDayRange(value);
  } catch {
    throw new InvalidValueError(`--date must be a calendar date YYYY-MM-DD, got "${value}"`);
  }
  return value;
}

export async function runReport(argv: string[]): Promise<number> {
  const { values } = parseCommand(reportCommand, argv);
  const date = reportDay(values.date);
  const folder = resolve(values.out ?? join(repositoryRoot(), '.local', 'reports'));
  const print = reserveStdout();
  return onLocalStack('report', {}, async (ctx) => {
    const table = ctx.env.RUNS_TABLE;
    if (!table) {
      ctx.log('error: no local run ledger to report on (see the runs ledger line above)');
      return 1;
    }
    const report = await buildReport(createRunsLedger({ table }), date, {
      environment: LOCAL_ENVIRONMENT,
      region: process.env.AWS_REGION || 'ap-northeast-1',
    });
    await mkdir(folder, { recursive: true });
    const page = join(folder, `${date}.html`);
    await writeFile(join(folder, `${date}.json`), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(page, renderReportHtml(report));
    const t = report.totals;
    ctx.log(
      `runs report ${date} (JST): ${t.runs} runs, ${t.FAILED + t.PARTIAL + t.TIMED_OUT} failed, ledger ${table}`,
    );
    // Short under the working folder (.local/reports/…), absolute elsewhere.
    const shown = relative(process.cwd(), page);
    print(`${shown.startsWith('..') ? page : shown}\n`);
    return 0;
  });
}
