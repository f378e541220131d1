import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { jstDate } from '../shared/jst';
import type { RunStatus } from '../shared/runs-ledger';
import type { LedgerPipeline } from '../shared/runs-pipelines';
import { freshLedger, seedRun } from '../runs-api/testing';
import { renderReportHtml, STATUS_STYLES } from './html';
import { buildReport, type DailyReport, type DayStatus } from './report';

/**
 * The report page as an operator sees it: Debian's chromium (scripts/setup/chromium.sh
 * installs it) driven headless by playwright-core. Skipped with its reason where there is
 * no chromium, except in CI (CI=true), where a missing browser fails the test.
 * `UPDATE_SCREENSHOT=1 npx jest functions/runs-daily-report/page.browser.test.ts` rewrites
 * docs/images/runs-report.png.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env.CI === 'true';
if (!haveChromium && !inCi)
  process.stderr.write(
    `SKIPPED: runs report page browser test: no Chromium at ${CHROMIUM} (install it with scripts/setup/chromium.sh)\n`,
  );
const SCREENSHOT = resolve(__dirname, '../../docs/images/runs-report.png');

const REPORT_DATE = '2026-12-01';
const DAY_MS = 24 * 60 * 60 * 1000;

/** A week of runs: mostly succeeded, one of each other outcome, one pipeline never run. */
const HISTORY: Array<[LedgerPipeline, RunStatus[]]> = [
  [
    'csv-processor',
    ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
  ],
  [
    'batch-scheduler',
    ['SUCCEEDED', 'SUCCEEDED', 'TIMED_OUT', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED'],
  ],
  ['etl', ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'FAILED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']],
  [
    'salesforce-extract',
    ['SUCCEEDED', 'PARTIAL', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'RUNNING'],
  ],
];

async function sampleReport(): Promise<DailyReport> {
  const { ledger } = await freshLedger();
  // 02:00 JST on each of the seven days up to REPORT_DATE.
  const first = Date.parse(`${REPORT_DATE}T02:00:00+09:00`) - 6 * DAY_MS;
  for (const [pipeline, statuses] of HISTORY) {
    for (const [day, status] of statuses.entries()) {
      const startedAt = new Date(first + day * DAY_MS).toISOString();
      const runId = `${pipeline}-${jstDate(new Date(startedAt))}`;
      const failed = status === 'FAILED' || status === 'TIMED_OUT' || status === 'PARTIAL';
      await seedRun(ledger, {
        pipeline,
        runId,
        startedAt,
        status,
        endedAt: new Date(Date.parse(startedAt) + (status === 'TIMED_OUT' ? 900_000 : 83_000)).toISOString(),
        trigger: pipeline === 'csv-processor' ? 'event' : 'schedule',
        counts:
          pipeline === 'batch-scheduler'
            ? { apiCalls: status === 'SUCCEEDED' ? 4_210 : 9_850 }
            : { in: 1_200, applied: failed ? 1_150 : 1_200, failed: failed ? 50 : 0 },
        ...(status === 'FAILED' || status === 'TIMED_OUT'
          ? {
              error:
                pipeline === 'batch-scheduler'
                  ? {
                      name: 'QuotaExceededError',
                      message: 'YouTube Data API quota exhausted (9,850 of 10,000 units)',
                    }
                  : { name: 'NoSuchKey', message: 'orders/2026-11-27/orders.csv does not exist' },
            }
          : {}),
        links:
          pipeline === 'csv-processor' || pipeline === 'salesforce-extract'
            ? {
                logGroup: `/aws/vendedlogs/states/${pipeline === 'csv-processor' ? 'csv-user-log-processor' : pipeline}-prd`,
                executionArn: `arn:aws:states:ap-northeast-1:123456789012:execution:${pipeline}-prd:${runId}`,
              }
            : {
                logGroup: `/aws/lambda/${pipeline === 'etl' ? 'etl-extract-transform' : 'sync-batch'}-prd`,
                requestId: `0f3c${day}a2e-7b1d-4c55-9e0a-5d2f8b6c${day}e41`,
              },
      });
    }
  }
  return buildReport(ledger, REPORT_DATE, {
    environment: 'prd',
    region: 'ap-northeast-1',
    now: () => new Date('2026-12-02T09:00:04+09:00'),
  });
}

const rgb = (hex: string) =>
  `rgb(${[1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;

(haveChromium || inCi ? describe : describe.skip)('the report page in headless Chromium', () => {
  let browser: Browser;
  let folder: string;
  let report: DailyReport;

  beforeAll(async () => {
    if (!haveChromium)
      throw new Error(
        `CI=true but no Chromium at ${CHROMIUM}: .ci/run installs it with scripts/setup/chromium.sh`,
      );
    folder = await mkdtemp(join(tmpdir(), 'runs-report-'));
    report = await sampleReport();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('renders without console errors or requests, shows each pipeline and its status colours', async () => {
    const file = join(folder, `${REPORT_DATE}.html`);
    await writeFile(file, renderReportHtml(report));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    expect(problems).toEqual([]);
    // Self-contained: the page itself is the only thing loaded.
    expect(requests).toEqual([pathToFileURL(file).href]);

    for (const p of report.pipelines) {
      const latest = page.locator(`table.latest tr[data-pipeline="${p.pipeline}"]`);
      await expect(latest.isVisible()).resolves.toBe(true);
      expect(await latest.locator('th .pipeline').textContent()).toBe(p.pipeline);
      const cells = page.locator(`table.grid tr[data-pipeline="${p.pipeline}"] td.cell`);
      expect(await cells.count()).toBe(7);
      for (const [i, day] of p.days.entries()) {
        const cell = cells.nth(i);
        await expect(cell.isVisible()).resolves.toBe(true);
        expect(await cell.getAttribute('data-status')).toBe(day.status);
        const style = await cell.evaluate((el) => {
          const computed = getComputedStyle(el);
          return { background: computed.backgroundColor, color: computed.color };
        });
        expect(style).toEqual({
          background: rgb(STATUS_STYLES[day.status].background),
          color: rgb(STATUS_STYLES[day.status].color),
        });
        // Not colour alone: the cell's text names the status.
        expect(await cell.innerText()).toContain(STATUS_STYLES[day.status].symbol);
      }
    }
    const expected: Record<string, DayStatus[]> = Object.fromEntries(
      HISTORY.map(([pipeline, statuses]) => [pipeline, statuses]),
    );
    expected['etl-load'] = Array(7).fill('NONE');
    for (const p of report.pipelines) expect(p.days.map((d) => d.status)).toEqual(expected[p.pipeline]);

    // The legend names every status in both languages; the failures list has the day's failure.
    const legend = await page.locator('ul.legend').innerText();
    for (const style of Object.values(STATUS_STYLES)) {
      expect(legend).toContain(style.en);
      expect(legend).toContain(style.ja);
    }
    const failures = page.locator('li.failure');
    expect(await failures.count()).toBe(1);
    expect(await failures.first().innerText()).toContain('QuotaExceededError');
    expect(await failures.first().locator('a').getAttribute('href')).toMatch(
      /^https:\/\/ap-northeast-1\.console\.aws\.amazon\.com\/cloudwatch\//,
    );

    if (process.env.UPDATE_SCREENSHOT === '1') {
      await mkdir(dirname(SCREENSHOT), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      process.stderr.write(`screenshot written to ${SCREENSHOT}\n`);
    }
    await page.close();
  });
});
