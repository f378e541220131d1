import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../functions/shared/s3';
import { withEnv } from '../local/pipelines/runner';
import { createBucket, uniqueName } from '../testing/stack';
import { runRuns } from './commands';
import { latestReportKey, localReportPath, REPORT_URL_EXPIRES_SECONDS, reportLink } from './report';

/**
 * `npm run runs -- report` over a reports bucket in s3rver: the latest page (by its date,
 * the JSON next to it ignored), a given day, a day without a report, and the presigned URL
 * actually opening the page; the local page's path from `npm run local -- report`'s output.
 */
const PAGE = '<!doctype html><title>runs 2026-11-30</title>';

describe('the report page in the reports bucket', () => {
  const s3 = createS3Client();
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(uniqueName('runs-reports'));
    const objects: Array<[string, string]> = [
      ['reports/2026-11-28.html', '<!doctype html><title>old</title>'],
      ['reports/2026-11-30.html', PAGE],
      ['reports/2026-11-30.json', '{}'],
      ['reports/2026-12-01.json', '{}'],
      ['reports/notes.html', 'not a report'],
    ];
    for (const [Key, Body] of objects)
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body, ContentType: 'text/html' }));
  });

  it('finds the latest reports/YYYY-MM-DD.html', async () => {
    expect(await latestReportKey(s3, bucket)).toBe('reports/2026-11-30.html');
    expect(await latestReportKey(s3, await createBucket(uniqueName('runs-reports-empty')))).toBeUndefined();
  });

  it('presigns a GET for an hour that opens the page', async () => {
    const now = new Date();
    const link = await reportLink(s3, bucket, { now });
    expect(link).toMatchObject({ bucket, key: 'reports/2026-11-30.html', date: '2026-11-30' });
    expect(Date.parse(link.expiresAt) - now.getTime()).toBe(REPORT_URL_EXPIRES_SECONDS * 1000);
    const url = new URL(link.url);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    const page = await fetch(link.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toBe(PAGE);
  });

  it('takes a given day, and says when that day has no page', async () => {
    expect((await reportLink(s3, bucket, { date: '2026-11-28' })).key).toBe('reports/2026-11-28.html');
    await expect(reportLink(s3, bucket, { date: '2026-11-29' })).rejects.toThrow(
      `no report for 2026-11-29 in s3://${bucket}/reports/2026-11-29.html (a day's report is written at 09:00 JST the day after)`,
    );
  });

  it('npm run runs -- report --env: the URL on stdout, the bucket from RUNS_REPORTS_BUCKET', async () => {
    let stdout = '';
    let stderr = '';
    const io = { stdout: (t: string) => (stdout += t), stderr: (t: string) => (stderr += t) };
    const code = await withEnv({ RUNS_REPORTS_BUCKET: bucket }, () =>
      runRuns(['report', '--env', 'prd', '--json'], io),
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const link = JSON.parse(stdout) as { key: string; url: string };
    expect(link.key).toBe('reports/2026-11-30.html');
    expect(await (await fetch(link.url)).text()).toBe(PAGE);

    stdout = '';
    const missing = await withEnv({ RUNS_REPORTS_BUCKET: bucket }, () =>
      runRuns(['report', '--env', 'prd', '--date', '2026-11-29'], io),
    );
    expect(missing).toBe(1);
    expect(stderr).toMatch(/^error: no report for 2026-11-29 in s3:\/\//);
    expect(stdout).toBe('');
  });
});

describe('localReportPath', () => {
  it('takes the last line `npm run local -- report` prints, passing --date on', async () => {
    const dir = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? '/tmp', 'report-'));
    const page = join(dir, '2026-11-30.html');
    await writeFile(page, PAGE);
    // A stand-in for the command: prints a log line, then the page path; fails unless given --date.
    const command = [
      'sh',
      '-c',
      `[ "$1" = --date ] && [ "$2" = 2026-11-30 ] && printf 'wrote\\n%s\\n' "${page}"`,
      'sh',
    ];
    await expect(localReportPath('2026-11-30', command)).resolves.toBe(page);
    await expect(localReportPath(undefined, command)).rejects.toThrow(/failed \(exit 1; see above\)/);
    await expect(
      localReportPath(undefined, ['sh', '-c', 'echo /nonexistent/page.html', 'sh']),
    ).rejects.toThrow('printed no page path (got "/nonexistent/page.html")');
  });
});
