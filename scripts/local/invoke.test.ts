import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from '../../functions/shared/assets';
import { useFreshDatabase, uniqueName } from '../testing/stack';

/**
 * Every file under functions/<fn>/events/ is a real event: run through invoke's code
 * path (the function's pipeline prepares the stack and its environment, then the
 * handler runs) on the test stack, each one returns a result instead of throwing.
 * Like `npm run invoke`, it runs under tsx in a child process (the stack modules are
 * ESM-only, which jest's CommonJS runtime cannot load).
 */
const run = promisify(execFile);
const root = repositoryRoot();

const events = readdirSync(join(root, 'functions'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((entry) => {
    const dir = join('functions', entry.name, 'events');
    let files: string[] = [];
    try {
      files = readdirSync(join(root, dir)).filter((f) => f.endsWith('.json'));
    } catch {
      return [];
    }
    return files.map((file) => ({ fn: entry.name, file: join(dir, file) }));
  });

type Outcome = { file: string; result?: unknown; error?: { name: string; message: string } };

it('finds example events to check', () => {
  expect(events.map((e) => e.fn)).toEqual(
    expect.arrayContaining(['csv-migrate', 'csv-processor', 'csv-validator', 'sync-batch']),
  );
  expect(
    readdirSync(join(root, 'functions')).flatMap((fn) => {
      try {
        return readdirSync(join(root, 'functions', fn, 'events')).filter((f) => !f.endsWith('.json'));
      } catch {
        return [];
      }
    }),
  ).toEqual([]);
});

it('runs every example event successfully through invoke', async () => {
  const databaseUrl = await useFreshDatabase('invoke_events');
  const script = [
    "import { readFileSync } from 'node:fs';",
    "import { createInvoker } from './scripts/local/pipelines/invoke-function';",
    "import { onLocalStack } from './scripts/local/pipelines/runner';",
    `const events = ${JSON.stringify(events)};`,
    'const outcomes = [];',
    "onLocalStack('invoke-test', {}, async (ctx) => {",
    '  const invoker = createInvoker(ctx);',
    '  for (const { fn, file } of events) {',
    "    const event = JSON.parse(readFileSync(file, 'utf8'));",
    '    try {',
    '      outcomes.push({ file, result: await invoker.invoke(fn, event) });',
    '    } catch (error) {',
    '      outcomes.push({ file, error: { name: error.name, message: error.message } });',
    '    }',
    '  }',
    '  await invoker.close();',
    "}).then(() => process.stdout.write('\\n' + JSON.stringify(outcomes) + '\\n', () => process.exit(0)));",
  ].join('\n');
  const { stdout } = await run(join(root, 'node_modules/.bin/tsx'), ['-e', script], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
      DATABASE_URL: databaseUrl,
      LOCAL_SECRETS_FILE: join(tmpdir(), `${uniqueName('invoke-secrets')}.json`),
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const outcomes = JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome[];
  expect(outcomes.map((o) => o.file)).toEqual(events.map((e) => e.file));
  expect(outcomes.filter((o) => o.error)).toEqual([]);
  const byFile = Object.fromEntries(outcomes.map((o) => [o.file, o.result as Record<string, unknown>]));
  expect(byFile['functions/csv-validator/events/object-created.json']).toMatchObject({
    status: 'VALID',
    rowCount: 3,
  });
  expect(byFile['functions/csv-validator/events/object-created-rejected.json']).toMatchObject({
    status: 'INVALID',
    errorReportKey: 'errors/incoming/user-log-20250802-rejected.csv.json',
  });
  expect(byFile['functions/csv-processor/events/apply-batch.json']).toMatchObject({
    rows: 3,
    succeeded: 2,
    failures: [{ line: 4, userId: 'U99999', reason: 'USER_NOT_FOUND' }],
  });
  expect(byFile['functions/sync-batch/events/manual-trigger-channels.json']).toMatchObject({
    status: 'success',
    channels: 1,
  });
  // API Gateway events: a handled answer, never a 500. The manual triggers reach the local
  // EventBridge stand-in (scripts/local/eventbridge-standin.ts), never AWS.
  const apiAnswers = outcomes
    .filter((o) => o.file.startsWith('functions/runs-api/'))
    .map((o) => [o.file, (o.result as { statusCode: number }).statusCode]);
  expect(apiAnswers.length).toBeGreaterThan(0);
  expect(apiAnswers.filter(([, status]) => Number(status) >= 500)).toEqual([]);
  expect(byFile['functions/runs-api/events/trigger-etl.json']).toMatchObject({ statusCode: 202 });
  expect(byFile['functions/runs-api/events/bad-limit.json']).toMatchObject({ statusCode: 400 });
}, 180_000);
