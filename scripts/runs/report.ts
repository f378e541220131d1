import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { repositoryRoot } from '../../functions/shared/assets';
import { ExplainedError } from './client';

/**
 * `npm run runs -- report`: where to open the daily report page. In AWS, runs-daily-report
 * writes `reports/YYYY-MM-DD.html` to the reports bucket each morning (09:00 JST, for the JST
 * day before); the CLI finds the latest (or the --date one) and prints a presigned GET URL,
 * valid for an hour, that opens in any browser without AWS credentials. Locally the page is
 * what `npm run local -- report` writes; its path is printed.
 */
export const REPORT_URL_EXPIRES_SECONDS = 3600;
const REPORT_KEY = /^reports\/(\d{4}-\d{2}-\d{2})\.html$/;

export const reportKey = (date: string) => `reports/${date}.html`;

/** The key of the newest `reports/YYYY-MM-DD.html` in the bucket (keys sort by date). */
export async function latestReportKey(s3: S3Client, bucket: string): Promise<string | undefined> {
  let latest: string | undefined;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'reports/', ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      if (object.Key && REPORT_KEY.test(object.Key) && (!latest || object.Key > latest)) latest = object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return latest;
}

export interface ReportLink {
  bucket: string;
  key: string;
  date: string;
  url: string;
  expiresAt: string;
}

/** A presigned GET URL to the report page of `date`, or of the latest day when no date is given. */
export async function reportLink(
  s3: S3Client,
  bucket: string,
  options: { date?: string; now?: Date } = {},
): Promise<ReportLink> {
  let key: string;
  if (options.date) {
    key = reportKey(options.date);
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      if (status === 404 || (error as Error).name === 'NotFound')
        throw new ExplainedError(
          `no report for ${options.date} in s3://${bucket}/${key} (a day's report is written at 09:00 JST the day after)`,
        );
      throw error;
    }
  } else {
    const latest = await latestReportKey(s3, bucket);
    if (!latest)
      throw new ExplainedError(
        `no report page yet in s3://${bucket}/reports/ (runs-daily-report writes one at 09:00 JST)`,
      );
    key = latest;
  }
  const now = options.now ?? new Date();
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: REPORT_URL_EXPIRES_SECONDS,
    signingDate: now,
  });
  return {
    bucket,
    key,
    date: REPORT_KEY.exec(key)![1]!,
    url,
    expiresAt: new Date(now.getTime() + REPORT_URL_EXPIRES_SECONDS * 1000).toISOString(),
  };
}

/**
 * The local page: `npm run local -- report` writes it for the local ledger to
 * .local/reports/<date>.html and prints its path last on stdout (its logs go to stderr,
 * shown as they come). Returned absolute, so it opens from any folder.
 */
export async function localReportPath(
  date: string | undefined,
  command: readonly string[] = ['npm', 'run', '--silent', 'local', '--', 'report'],
): Promise<string> {
  const args = [...command.slice(1), ...(date ? ['--date', date] : [])];
  const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(command[0]!, args, {
      cwd: repositoryRoot(),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (exit) => resolve({ code: exit, stdout: Buffer.concat(chunks).toString('utf8') }));
  });
  const shown = `\`${[command.join(' '), ...(date ? ['--date', date] : [])].join(' ')}\``;
  if (code !== 0) throw new ExplainedError(`${shown} failed (exit ${code}; see above)`);
  const printed = stdout
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .at(-1);
  // It prints the path relative to where it ran (.local/reports/…) when it is under it.
  const path = printed && resolve(repositoryRoot(), printed);
  if (!path || !(await stat(path).catch(() => undefined))?.isFile())
    throw new ExplainedError(`${shown} printed no page path (got ${JSON.stringify(printed ?? '')})`);
  return path;
}
