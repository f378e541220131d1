import { createS3Client, readObjectText, headObject } from '../shared/s3';
import { InputValidationError } from '../shared/errors';
import type { RunsLedger } from '../shared/runs-ledger';
import { freshLedger, seedRun } from '../runs-api/testing';
import type { TopicMessage } from '../runs-stream-processor/publish';
import { createBucket, uniqueName } from '../../scripts/testing/stack';
import { reportDate, writeDailyReport } from './handler';
import { escapeHtml, renderReportHtml } from './html';
import { buildReport, type DailyReport } from './report';

/**
 * The daily report against a real ledger table (the test stack's DynamoDB) and a real
 * bucket (s3rver): which runs fall on a JST day, the JSON document's shape, the summary
 * message, and that ledger data is escaped in the page.
 */
const context = {
  environment: 'prd',
  region: 'ap-northeast-1',
  now: () => new Date('2026-12-02T00:00:05.000Z'),
};

describe('reportDate', () => {
  it('is yesterday in JST, whatever the UTC date', () => {
    // 09:00 JST on 12-02 is 00:00 UTC on 12-02; 08:59 JST on 12-02 is still 12-01 UTC.
    expect(reportDate({}, new Date('2026-12-02T00:00:00.000Z'))).toBe('2026-12-01');
    expect(reportDate(undefined, new Date('2026-12-01T23:59:59.000Z'))).toBe('2026-12-01');
    expect(reportDate({}, new Date('2026-12-01T14:59:59.999Z'))).toBe('2026-11-30');
    expect(reportDate({}, new Date('2026-12-01T15:00:00.000Z'))).toBe('2026-12-01');
  });

  it('takes the date an event names, and refuses one that is not a calendar date', () => {
    expect(reportDate({ date: '2026-02-28' })).toBe('2026-02-28');
    expect(() => reportDate({ date: '2026-02-30' })).toThrow(InputValidationError);
    expect(() => reportDate({ date: '2026-2-1' })).toThrow(
      'date must be a calendar date YYYY-MM-DD, got "2026-2-1"',
    );
    expect(() => reportDate('2026-02-01')).toThrow(InputValidationError);
  });
});

describe('JST day boundaries', () => {
  let ledger: RunsLedger;
  beforeAll(async () => {
    ({ ledger } = await freshLedger());
    // 23:59:59 JST on 11-30 and 00:00:00 JST on 12-01 (both 11-30 in UTC).
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'last-second',
      startedAt: '2026-11-30T14:59:59.000Z',
      status: 'FAILED',
      error: { name: 'E', message: 'late' },
    });
    await seedRun(ledger, {
      pipeline: 'etl',
      runId: 'first-second',
      startedAt: '2026-11-30T15:00:00.000Z',
      status: 'SUCCEEDED',
    });
  });

  it('a run at 23:59:59 JST belongs to that day, one at 00:00:00 JST to the next', async () => {
    const nov30 = await buildReport(ledger, '2026-11-30', context);
    const dec01 = await buildReport(ledger, '2026-12-01', context);
    const etl = (r: DailyReport) => r.pipelines.find((p) => p.pipeline === 'etl')!;
    expect(nov30.range).toEqual({ from: '2026-11-29T15:00:00.000Z', to: '2026-11-30T15:00:00.000Z' });
    expect(etl(nov30).tally).toMatchObject({ runs: 1, FAILED: 1, SUCCEEDED: 0 });
    expect(nov30.failures.map((f) => f.runId)).toEqual(['last-second']);
    expect(etl(nov30).latest?.runId).toBe('last-second');
    expect(etl(dec01).tally).toMatchObject({ runs: 1, SUCCEEDED: 1, FAILED: 0 });
    expect(dec01.failures).toEqual([]);
    expect(etl(dec01).latest?.runId).toBe('first-second');
    // The grid of 12-01 shows 11-30 failed and 12-01 succeeded, as two separate days.
    expect(
      etl(dec01)
        .days.slice(-2)
        .map((d) => [d.date, d.status]),
    ).toEqual([
      ['2026-11-30', 'FAILED'],
      ['2026-12-01', 'SUCCEEDED'],
    ]);
  });

  it('the grid covers the day and the six before it; a day without runs is NONE', async () => {
    const report = await buildReport(ledger, '2026-12-06', context);
    const etl = report.pipelines.find((p) => p.pipeline === 'etl')!;
    expect(etl.days.map((d) => d.date)).toEqual([
      '2026-11-30',
      '2026-12-01',
      '2026-12-02',
      '2026-12-03',
      '2026-12-04',
      '2026-12-05',
      '2026-12-06',
    ]);
    expect(etl.days.map((d) => d.status)).toEqual([
      'FAILED',
      'SUCCEEDED',
      'NONE',
      'NONE',
      'NONE',
      'NONE',
      'NONE',
    ]);
    // No run that day, but the latest run before its end is still shown.
    expect(etl.tally.runs).toBe(0);
    expect(etl.latest?.runId).toBe('first-second');
    const load = report.pipelines.find((p) => p.pipeline === 'etl-load')!;
    expect(load.latest).toBeUndefined();
  });
});

describe('writeDailyReport', () => {
  let ledger: RunsLedger;
  let bucket: string;
  let published: TopicMessage[];
  beforeAll(async () => {
    ({ ledger } = await freshLedger());
    bucket = await createBucket(uniqueName('reports'));
    await seedRun(ledger, {
      pipeline: 'csv-processor',
      runId: 'exec-ok',
      startedAt: '2026-12-01T00:00:00.000Z',
      status: 'SUCCEEDED',
      counts: { in: 100, applied: 100, failed: 0 },
      links: {
        logGroup: '/aws/vendedlogs/states/csv-user-log-processor-prd',
        executionArn:
          'arn:aws:states:ap-northeast-1:123456789012:execution:csv-user-log-processor-prd:exec-ok',
      },
    });
    await seedRun(ledger, {
      pipeline: 'batch-scheduler',
      runId: 'req-1',
      startedAt: '2026-12-01T02:00:00.000Z',
      endedAt: '2026-12-01T02:15:00.000Z',
      status: 'TIMED_OUT',
      error: { name: 'Sandbox.Timedout', message: 'Task timed out after 900.00 seconds' },
      counts: { apiCalls: 9850 },
      links: { logGroup: '/aws/lambda/sync-batch-prd', requestId: 'req-1' },
    });
    await seedRun(ledger, {
      pipeline: 'batch-scheduler',
      runId: 'req-0',
      startedAt: '2026-11-30T02:00:00.000Z',
      status: 'SUCCEEDED',
    });
  });
  beforeEach(() => {
    published = [];
  });

  it('writes reports/<date>.json and .html and publishes one summary', async () => {
    const outcome = await writeDailyReport('2026-12-01', {
      ledger,
      s3: createS3Client(),
      bucket,
      publish: async (message) => {
        published.push(message);
      },
      ...context,
    });
    expect(outcome).toEqual({
      date: '2026-12-01',
      bucket,
      keys: { json: 'reports/2026-12-01.json', html: 'reports/2026-12-01.html' },
      totals: { runs: 2, SUCCEEDED: 1, PARTIAL: 0, FAILED: 0, TIMED_OUT: 1, RUNNING: 0 },
      failures: 1,
    });
    const json = JSON.parse(await readObjectText(bucket, 'reports/2026-12-01.json')) as DailyReport;
    expect(Object.keys(json)).toEqual([
      'version',
      'date',
      'environment',
      'range',
      'generatedAt',
      'totals',
      'pipelines',
      'failures',
    ]);
    expect(json.pipelines.map((p) => p.pipeline)).toEqual([
      'csv-processor',
      'batch-scheduler',
      'etl',
      'etl-load',
      'salesforce-extract',
    ]);
    const batch = json.pipelines[1]!;
    expect(batch).toEqual({
      pipeline: 'batch-scheduler',
      summary: 'YouTube channels and videos → PostgreSQL',
      tally: { runs: 1, SUCCEEDED: 0, PARTIAL: 0, FAILED: 0, TIMED_OUT: 1, RUNNING: 0 },
      latest: {
        pipeline: 'batch-scheduler',
        runId: 'req-1',
        status: 'TIMED_OUT',
        trigger: 'schedule',
        startedAt: '2026-12-01T02:00:00.000Z',
        endedAt: '2026-12-01T02:15:00.000Z',
        durationMs: 900_000,
        counts: { apiCalls: 9850 },
        error: { name: 'Sandbox.Timedout', message: 'Task timed out after 900.00 seconds' },
        logGroup: '/aws/lambda/sync-batch-prd',
        consoleUrl:
          'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fsync-batch-prd/log-events$3FfilterPattern$3D$2522req-1$2522',
        logsTail: [
          `aws logs tail /aws/lambda/sync-batch-prd --since 2026-12-01T01:59:00Z --filter-pattern '"req-1"'`,
        ],
      },
      days: [
        ...['11-25', '11-26', '11-27', '11-28', '11-29'].map((d) => ({
          date: `2026-${d}`,
          status: 'NONE',
          tally: { runs: 0, SUCCEEDED: 0, PARTIAL: 0, FAILED: 0, TIMED_OUT: 0, RUNNING: 0 },
        })),
        {
          date: '2026-11-30',
          status: 'SUCCEEDED',
          tally: { runs: 1, SUCCEEDED: 1, PARTIAL: 0, FAILED: 0, TIMED_OUT: 0, RUNNING: 0 },
        },
        {
          date: '2026-12-01',
          status: 'TIMED_OUT',
          tally: { runs: 1, SUCCEEDED: 0, PARTIAL: 0, FAILED: 0, TIMED_OUT: 1, RUNNING: 0 },
        },
      ],
    });
    expect(json.failures).toEqual([batch.latest]);
    expect(json.generatedAt).toBe('2026-12-02T00:00:05.000Z');

    const html = await headObject(bucket, 'reports/2026-12-01.html');
    expect(html.ContentType).toBe('text/html; charset=utf-8');
    expect(await readObjectText(bucket, 'reports/2026-12-01.html')).toContain('<!doctype html>');

    expect(published).toHaveLength(1);
    expect(published[0]!.subject).toBe('[prd] runs 2026-12-01: 2 runs, 1 need attention');
    expect(published[0]!.message).toBe(
      [
        'Pipeline runs on 2026-12-01 (JST), prd: 2 runs: 1 succeeded, 1 timed out.',
        '',
        '  csv-processor       1 run: 1 succeeded',
        '  batch-scheduler     1 run: 1 timed out',
        '  etl                 no runs',
        '  etl-load            no runs',
        '  salesforce-extract  no runs',
        '',
        'Failures:',
        '- batch-scheduler TIMED_OUT req-1 (started 2026-12-01 11:00:00 JST)',
        '  Sandbox.Timedout: Task timed out after 900.00 seconds',
        `  aws logs tail /aws/lambda/sync-batch-prd --since 2026-12-01T01:59:00Z --filter-pattern '"req-1"'`,
        '  https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fsync-batch-prd/log-events$3FfilterPattern$3D$2522req-1$2522',
        '',
        `Report page: s3://${bucket}/reports/2026-12-01.html (npm run runs -- report --env prd)`,
      ].join('\n'),
    );
  });

  it('a day without failures says all good', async () => {
    await writeDailyReport('2026-11-30', {
      ledger,
      s3: createS3Client(),
      bucket,
      publish: async (message) => {
        published.push(message);
      },
      ...context,
    });
    expect(published.map((m) => m.subject)).toEqual(['[prd] runs 2026-11-30: 1 runs, all good']);
  });
});

describe('the HTML page', () => {
  it('escapes everything that comes from the ledger', async () => {
    const { ledger } = await freshLedger();
    await seedRun(ledger, {
      pipeline: 'salesforce-extract',
      runId: 'exec-"><img src=x onerror=alert(1)>',
      startedAt: '2026-12-01T01:00:00.000Z',
      status: 'FAILED',
      error: { name: '<script>alert("name")</script>', message: "Tom & Jerry's <b>bold</b> failure" },
      links: { logGroup: '/aws/vendedlogs/states/salesforce-extract-prd', s3Keys: ['raw/<Account>.csv'] },
    });
    const html = renderReportHtml(await buildReport(ledger, '2026-12-01', context));
    expect(html).not.toMatch(/<script|<img|<b>|onerror=alert\(1\)>/);
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(html).toContain('Tom &amp; Jerry&#39;s &lt;b&gt;bold&lt;/b&gt; failure');
    expect(html).toContain('exec-&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('<code>raw/&lt;Account&gt;.csv</code>');
    // Self-contained: no scripts, no external stylesheets, images or fonts.
    expect(html).not.toMatch(/<link|<script|src=["']|url\(/i);
  });

  it('labels in Japanese and English, every status named in the legend', async () => {
    const { ledger } = await freshLedger();
    const html = renderReportHtml(await buildReport(ledger, '2026-12-01', context));
    for (const label of [
      'パイプライン <span class="en">/ Pipeline',
      '状態 <span class="en">/ Status',
      '凡例 <span class="en">/ Legend',
    ])
      expect(html).toContain(label);
    for (const status of ['Succeeded', 'Partial', 'Failed', 'Timed out', 'Running', 'No runs'])
      expect(html).toContain(status);
    expect(html).toContain('この日の失敗はありません');
  });

  it('escapeHtml covers the five characters that matter', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
