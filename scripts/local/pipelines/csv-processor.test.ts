import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../../functions/shared/assets';
import { csvFile, userId } from '../fixtures/csv-user-log';
import { useFreshDatabase, uniqueName } from '../../testing/stack';

/**
 * `npm run local -- csv-processor` on the test stack (acquireStack uses the
 * endpoints the jest setup exports), under tsx in a child process as the command
 * runs: a file already processed is a DUPLICATE, --reprocess runs it again as an
 * operator's `"reprocess": true` does, and a rejected file's full report is copied
 * where a person can read it.
 */
const run = promisify(execFile);
const root = repositoryRoot();

async function runLocal(args: string[], databaseUrl: string) {
  const script = [
    "import { csvProcessorPipeline } from './scripts/local/pipelines/csv-processor';",
    `csvProcessorPipeline.run(${JSON.stringify(args)}).then((result) =>`,
    "  process.stdout.write('\\n' + JSON.stringify(result) + '\\n', () => process.exit(0)));",
  ].join('\n');
  const { stdout } = await run(join(root, 'node_modules/.bin/tsx'), ['-e', script], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { text: string; json: Record<string, unknown> };
}

let databaseUrl: string;
beforeAll(async () => {
  databaseUrl = await useFreshDatabase('csv_runner');
  await runLocal(['--rows', '3'], databaseUrl); // seeds U00001…U00003 and the schema
});

it('reports a file processed before as DUPLICATE, and --reprocess runs it again', async () => {
  const file = join(tmpdir(), `${uniqueName('users')}.csv`);
  writeFileSync(
    file,
    csvFile([
      [userId(1), 7, 1],
      [userId(2), 8, 2],
    ]),
  );

  const first = await runLocal(['--file', file], databaseUrl);
  expect(first.json).toMatchObject({ status: 'SUCCESS', rows: { total: 2, succeeded: 2, failed: 0 } });

  const again = await runLocal(['--file', file], databaseUrl);
  expect(again.json.status).toBe('DUPLICATE');
  expect(again.json.duplicateOf).toContain(`:${first.json.executionName as string}`);
  expect(again.text).toContain('add --reprocess to run it again');

  const reprocessed = await runLocal(['--file', file, '--reprocess'], databaseUrl);
  expect(reprocessed.json).toMatchObject({ status: 'SUCCESS', rows: { total: 2, succeeded: 2 } });
  expect(reprocessed.json.executionName).not.toBe(first.json.executionName);
}, 120_000);

it('copies the full error report of a rejected file and prints every error with --show-errors', async () => {
  // 25 bad counts: the summary shows 20, the report holds all of them.
  const rows = Array.from({ length: 25 }, (_, i) => [userId(i + 1), 'many', 0] as [string, string, number]);
  const file = join(tmpdir(), `${uniqueName('rejected')}.csv`);
  writeFileSync(file, csvFile(rows));

  const result = await runLocal(['--file', file], databaseUrl);
  expect(result.json.status).toBe('VALIDATION_FAILED');
  const report = result.json.fullReport as { s3: string; path: string };
  expect(report.s3).toMatch(
    /^s3:\/\/csv-processor-local-output-000000000000\/errors\/incoming\/rejected-.*\.csv\.json$/,
  );
  expect(report.path).toMatch(/^\.local\/runs\/csv-processor\/user-log-.*\.csv\.json$/);
  expect(existsSync(join(root, report.path))).toBe(true);
  const saved = JSON.parse(readFileSync(join(root, report.path), 'utf8')) as { errors: unknown[] };
  expect(saved.errors).toHaveLength(25);
  expect(result.text).toContain(`full report: ${report.s3}`);
  expect(result.text).toContain(`copied to ${report.path}`);
  expect(result.text).toContain('… 5 more: --show-errors prints them all');

  const all = await runLocal(['--file', file, '--reprocess', '--show-errors'], databaseUrl);
  expect(all.text.match(/COUNT_NOT_INTEGER/g)).toHaveLength(25);
  expect(all.text).toContain('line 26 (U00025): ログイン回数="many" COUNT_NOT_INTEGER');
}, 120_000);
