import { formatJst } from '../runs-stream-processor/format';
import { topicSubject, type TopicMessage } from '../runs-stream-processor/publish';
import type { DailyReport, StatusTally } from './report';

/** The one message the daily report publishes to the topic: totals, each pipeline, each failure. */
export type SummaryMessage = TopicMessage;

function tallyText(t: StatusTally): string {
  if (t.runs === 0) return 'no runs';
  const parts = (
    [
      ['SUCCEEDED', 'succeeded'],
      ['PARTIAL', 'partial'],
      ['FAILED', 'failed'],
      ['TIMED_OUT', 'timed out'],
      ['RUNNING', 'still running'],
    ] as const
  )
    .filter(([key]) => t[key] > 0)
    .map(([key, label]) => `${t[key]} ${label}`);
  return `${t.runs} run${t.runs === 1 ? '' : 's'}: ${parts.join(', ')}`;
}

export function summaryMessage(report: DailyReport, pageLocation: string): SummaryMessage {
  const bad = report.totals.FAILED + report.totals.PARTIAL + report.totals.TIMED_OUT;
  const verdict = bad === 0 ? 'all good' : `${bad} need attention`;
  const width = Math.max(...report.pipelines.map((p) => p.pipeline.length)) + 2;
  const lines = [
    `Pipeline runs on ${report.date} (JST), ${report.environment}: ${tallyText(report.totals)}.`,
    '',
    ...report.pipelines.map((p) => `  ${p.pipeline.padEnd(width)}${tallyText(p.tally)}`),
  ];
  if (report.failures.length) {
    lines.push('', 'Failures:');
    for (const run of report.failures) {
      lines.push(
        `- ${run.pipeline} ${run.status} ${run.runId} (started ${formatJst(run.startedAt)})`,
        `  ${run.error ? `${run.error.name}: ${run.error.message}` : 'no error recorded'}`,
        ...run.logsTail.slice(0, 1).map((cmd) => `  ${cmd}`),
        ...(run.consoleUrl ? [`  ${run.consoleUrl}`] : []),
      );
    }
  }
  lines.push('', `Report page: ${pageLocation}`);
  return {
    subject: topicSubject(
      `[${report.environment}] runs ${report.date}: ${report.totals.runs} runs, ${verdict}`,
    ),
    message: lines.join('\n'),
  };
}
