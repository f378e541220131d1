import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../functions/shared/assets';
import type { DailyReport } from '../../functions/runs-daily-report/report';
import { InvalidValueError } from '../lib/args';
import { csvFile, userId } from './fixtures/csv-user-log';
import { uniqueName, useFreshDatabase } from '../testing/stack';
import { reportDay } from './report';

/**
 * End to end on the test stack, as a person runs it: two local csv-processor runs, one
 * rejected; the failure notice on stderr (the local stand-in for the topic); then
 * `npm run local -- report` writes the page with both runs and prints its path.
 */
const exec = promisify(execFile);
const root = repositoryRoot();
let databaseUrl: string;
let out: string;

beforeAll(async () => {
  databaseUrl = await useFreshDatabase('runs_report');
  out = mkdtempSync(join(tmpdir(), 'runs-report-'));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

// Other test files run local pipelines against the test stack at the same time; through its
// DynamoDB they would share one ledger, and "the latest run" would be anybody's. Without a
// DynamoDB endpoint or an `up` stack, each command keeps the ledger in this test's own folder
// (and runs on a throw-away stack of its own), as a person's commands do.
function isolatedEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_ENDPOINT_URL')),
  );
  return {
    ...env,
    PIPELINES_RUNS_LEDGER_DIR: join(out, 'ledger'),
    PIPELINES_STACK_ENV_FILE: join(out, 'no-up.env.json'),
  };
}

async function local(args: string[]) {
  return exec(join(root, 'node_modules/.bin/tsx'), ['scripts/local/cli.ts', ...args], {
    cwd: root,
    env: {
      ...isolatedEnv(),
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      DATABASE_URL: databaseUrl,
      LOCAL_SECRETS_FILE: join(tmpdir(), `${uniqueName('report-secrets')}.json`),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

it('two local runs, one rejected: the failure notice on stderr, both runs on the report page', async () => {
  const ok = await local(['csv-processor', '--rows', '12', '--json']);
  expect(ok.code).toBe(0);
  const good = JSON.parse(ok.stdout) as { executionName: string };
  expect(ok.stderr).not.toMatch(/^Subject: \[local\] csv-processor FAILED/m);

  const file = join(out, 'rejected.csv');
  writeFileSync(file, csvFile([[userId(1), 'twelve', 3]]));
  const rejected = await local(['csv-processor', '--file', file, '--json']);
  expect(rejected.code).toBe(0);
  const bad = JSON.parse(rejected.stdout) as { status: string; executionName: string };
  expect(bad.status).toBe('VALIDATION_FAILED');
  expect(rejected.stderr).toMatch(/^Subject: \[local\] csv-processor FAILED: /m);
  expect(rejected.stderr).toContain(`Run:      ${bad.executionName} (trigger: event)`);
  expect(rejected.stderr).toContain(
    'aws logs tail /aws/vendedlogs/states/csv-user-log-processor-local --since ',
  );

  const report = await local(['report', '--out', out]);
  expect(report.code).toBe(0);
  const page = resolve(root, report.stdout.trim());
  expect(page).toMatch(/\/\d{4}-\d{2}-\d{2}\.html$/);
  const html = readFileSync(page, 'utf8');
  const json = JSON.parse(readFileSync(page.replace(/\.html$/, '.json'), 'utf8')) as DailyReport;
  expect(json.environment).toBe('local');
  expect(json.failures.map((f) => f.runId)).toContain(bad.executionName);
  expect(html).toContain(bad.executionName);
  const csv = json.pipelines.find((p) => p.pipeline === 'csv-processor')!;
  expect(csv.tally.runs).toBeGreaterThanOrEqual(2);
  expect(csv.tally.SUCCEEDED).toBeGreaterThanOrEqual(1);
  expect([good.executionName, bad.executionName]).toContain(csv.latest?.runId);
}, 180_000);

it('a date that is not one: exit 2 and one line naming it', async () => {
  const result = await local(['report', '--date', '2026-02-30']);
  expect(result.code).toBe(2);
  expect(result.stderr.trim()).toBe('error: --date must be a calendar date YYYY-MM-DD, got "2026-02-30"');
  expect(result.stdout).toBe('');
});

it('the day defaults to today in JST', () => {
  expect(reportDay(undefined, new Date('2026-11-30T15:00:00.000Z'))).toBe('2026-12-01');
  expect(reportDay(undefined, new Date('2026-11-30T14:59:59.999Z'))).toBe('2026-11-30');
  expect(reportDay('2026-11-02')).toBe('2026-11-02');
  expect(() => reportDay('yesterday')).toThrow(InvalidValueError);
});
