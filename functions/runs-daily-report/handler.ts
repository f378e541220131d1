import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { env, loadConfig } from '../shared/config';
import { InputValidationError } from '../shared/errors';
import { jstDayRange, jstYesterday } from '../shared/jst';
import { createLogger } from '../shared/logger';
import { createRunsLedger, type RunsLedger } from '../shared/runs-ledger';
import { s3Client } from '../shared/s3';
import { environmentOf, snsPublish, type Publish } from '../runs-stream-processor/publish';
import { renderReportHtml } from './html';
import { buildReport, type DailyReport } from './report';
import { summaryMessage } from './summary';

/**
 * runs-daily-report: invoked by EventBridge Scheduler at 09:00 Asia/Tokyo. Reports
 * yesterday (JST), or the day the event names (`{"date": "YYYY-MM-DD"}`, to redo one),
 * from the ledger: `reports/<date>.json` and `reports/<date>.html` in REPORTS_BUCKET, and
 * one summary message to the topic. Writing the same day again replaces both objects.
 */
// A Logger alone, not shared/observability: the report emits no metrics (the stream processor
// counts runs), so its cold start skips loading Powertools Metrics.
const logger = createLogger('runs-daily-report');

export const DailyReportConfig = z.object({
  RUNS_TABLE: env.string(),
  REPORTS_BUCKET: env.string(),
  ALARM_TOPIC_ARN: env.string(),
  ENVIRONMENT: z.optional(z.string().check(z.minLength(1))),
  AWS_REGION: z._default(z.string(), 'ap-northeast-1'),
});

const ReportEvent = z.looseObject({ date: z.optional(z.string()) });

/** The JST day to report: the event's `date`, else the day before `now` in JST. */
export function reportDate(event: unknown, now: Date = new Date()): string {
  const parsed = z.safeParse(ReportEvent, event ?? {});
  const date = parsed.success ? parsed.data.date : undefined;
  if (!parsed.success) throw new InputValidationError('event must be an object like {"date":"YYYY-MM-DD"}');
  if (date === undefined) return jstYesterday(now);
  try {
    jstDayRange(date);
  } catch {
    throw new InputValidationError(`date must be a calendar date YYYY-MM-DD, got "${date}"`, {
      field: 'date',
    });
  }
  return date;
}

export const reportKeys = (date: string) => ({ json: `reports/${date}.json`, html: `reports/${date}.html` });

export interface ReportDependencies {
  ledger: Pick<RunsLedger, 'listRuns'>;
  s3: S3Client;
  bucket: string;
  publish: Publish;
  environment: string;
  region: string;
  now?: () => Date;
}

export interface ReportOutcome {
  date: string;
  bucket: string;
  keys: { json: string; html: string };
  totals: DailyReport['totals'];
  failures: number;
}

export async function writeDailyReport(date: string, deps: ReportDependencies): Promise<ReportOutcome> {
  const report = await buildReport(deps.ledger, date, deps);
  const keys = reportKeys(date);
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: keys.json,
      Body: `${JSON.stringify(report, null, 2)}\n`,
      ContentType: 'application/json',
    }),
  );
  await deps.s3.send(
    new PutObjectCommand({
      Bucket: deps.bucket,
      Key: keys.html,
      Body: renderReportHtml(report),
      ContentType: 'text/html; charset=utf-8',
      CacheControl: 'no-cache',
    }),
  );
  const summary = summaryMessage(
    report,
    `s3://${deps.bucket}/${keys.html} (npm run runs -- report --env ${deps.environment})`,
  );
  await deps.publish(summary);
  return { date, bucket: deps.bucket, keys, totals: report.totals, failures: report.failures.length };
}

let cached: { key: string; deps: ReportDependencies } | undefined;

function fromEnvironment(): ReportDependencies {
  const config = loadConfig(DailyReportConfig);
  const key = `${config.RUNS_TABLE}|${config.REPORTS_BUCKET}|${config.ALARM_TOPIC_ARN}`;
  if (cached?.key !== key) {
    cached = {
      key,
      deps: {
        ledger: createRunsLedger({ table: config.RUNS_TABLE }),
        s3: s3Client(),
        bucket: config.REPORTS_BUCKET,
        publish: snsPublish(config.ALARM_TOPIC_ARN),
        environment: environmentOf(config),
        region: config.AWS_REGION,
      },
    };
  }
  return cached.deps;
}

export const handler = async (event: unknown, context?: Partial<Context>): Promise<ReportOutcome> => {
  if (context?.awsRequestId) logger.addContext(context as Context);
  const date = reportDate(event);
  const outcome = await writeDailyReport(date, fromEnvironment());
  logger.info('daily report written', { ...outcome });
  return outcome;
};
