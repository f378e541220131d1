import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';

/**
 * Bad input on the command line, as a person types it: every CLI names the problem,
 * shows the usage and exits 2, without a stack trace and before any stack starts;
 * --help prints the usage on stdout and exits 0.
 */
const root = repositoryRoot();
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
const brokenEvent = join(dir, 'broken.json');
writeFileSync(brokenEvent, '{"action": ');

const scripts = {
  local: 'scripts/local/cli.ts',
  invoke: 'scripts/local/invoke.ts',
  bench: 'scripts/bench/cli.ts',
} as const;

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Each case is a fresh tsx process (~1–3 s); a few at a time keeps the file short on 2 cores. */
let running = 0;
const queue: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 3) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await work();
  } finally {
    running--;
    queue.shift()?.();
  }
}

const outcomes = new Map<string, Promise<Outcome>>();
/** Started when the cases are declared, so they run side by side; each test awaits its own. */
function cli(name: keyof typeof scripts, args: readonly string[]): Promise<Outcome> {
  const key = JSON.stringify([name, args]);
  if (!outcomes.has(key))
    outcomes.set(
      key,
      limited(() => spawnCli(name, [...args])),
    );
  return outcomes.get(key)!;
}

function spawnCli(name: keyof typeof scripts, args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      join(root, 'node_modules/.bin/tsx'),
      [scripts[name], ...args],
      { cwd: root, env: { ...process.env, DEBUG: '' } },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const STACK_TRACE = /^\s+at .+\(.*:\d+:\d+\)$/m;
/** What a runner prints once it has a stack: none of these cases may get that far. */
const STACK_USED = /throw-away stack|using the running stack|using DATABASE_URL/;

describe.each([
  ['local', [], /^error: missing <command>$/m, /commands:\n {2}up/],
  [
    'local',
    ['bogus'],
    /^error: unknown command "bogus" \(valid: up, demo, api, report, csv-processor, seed-users, sync-batch, etl, salesforce-extract\)$/m,
    /usage: npm run local --/,
  ],
  [
    'local',
    ['csv-processor'],
    /^error: csv-processor needs --file <path.csv> or --rows <n>$/m,
    /--file <path.csv>/,
  ],
  [
    'local',
    ['csv-processor', '--bogus'],
    /^error: unknown option --bogus \(valid: --file, --rows, /m,
    /--rows <n>/,
  ],
  [
    'local',
    ['csv-processor', '--file', 'no-such.csv'],
    /^error: --file: no such file: no-such\.csv$/m,
    /--file <path.csv>/,
  ],
  [
    'local',
    ['csv-processor', '--file', 'scripts'],
    /^error: --file: scripts is a directory, not a file$/m,
    /--file/,
  ],
  [
    'local',
    ['csv-processor', '--rows', 'ten'],
    /^error: --rows must be a positive integer, got "ten"$/m,
    /--rows/,
  ],
  ['local', ['csv-processor', '--rows'], /^error: --rows needs a value$/m, /--rows/],
  [
    'local',
    ['csv-processor', '--file', 'x.csv', '--rows', '3'],
    /^error: --file: no such file: x\.csv$/m,
    /--file/,
  ],
  [
    'local',
    ['sync-batch', '--channels', '-2'],
    /^error: --channels must be a non-negative integer, got "-2"$/m,
    /--videos-per-channel/,
  ],
  [
    'local',
    ['seed-users', '--count', '0'],
    /^error: --count must be a positive integer, got "0"$/m,
    /--count <n>/,
  ],
  ['local', ['up', '--data'], /^error: unknown option --data \(valid: --data-dir\)$/m, /--data-dir <dir>/],
  ['invoke', [], /^error: missing <function>$/m, /usage: npm run invoke -- <function>/],
  [
    'invoke',
    ['no-such-fn'],
    /^error: unknown function "no-such-fn" \(valid: csv-migrate, csv-processor, csv-validator, etl-db-initializer, etl-extract-transform, etl-load, runs-api, runs-daily-report, runs-recorder, runs-stream-processor, salesforce-extract, sync-batch/m,
    /--event <file.json>/,
  ],
  [
    'invoke',
    ['csv-validator', '--event', 'missing.json'],
    /^error: --event: no such file: missing\.json$/m,
    /--event/,
  ],
  [
    'invoke',
    ['csv-validator', '--event', brokenEvent],
    /^error: --event: .*broken\.json is not valid JSON/m,
    /^$|usage/,
  ],
  [
    'invoke',
    ['csv-validator', '--env', 'NOVALUE'],
    /^error: --env must be KEY=VALUE, got "NOVALUE"$/m,
    /--env <KEY=VALUE>/,
  ],
  ['bench', [], /^error: missing <benchmark>$/m, /cold-start/],
  [
    'bench',
    ['warp'],
    /^error: unknown benchmark "warp" \(valid: cold-start, csv-processor, sync-batch, etl, salesforce-extract\)$/m,
    /usage: npm run bench --/,
  ],
  [
    'bench',
    ['csv-processor', '--rows', '1e6'],
    /^error: --rows must be a positive integer, got "1e6"$/m,
    /--batch-size/,
  ],
  ['bench', ['cold-start', '--runs'], /^error: --runs needs a value$/m, /--runs <n>/],
] as const)('%s %j', (name, args, message, usage) => {
  let outcome: Outcome;
  const pending = cli(name, args);
  beforeAll(async () => {
    outcome = await pending;
  }, 120_000);

  it('exits 2 with the problem and the usage on stderr, nothing on stdout', () => {
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
    expect(outcome.stderr).toMatch(usage);
    expect(outcome.stdout).toBe('');
  });

  it('shows no stack trace and starts no stack', () => {
    expect(outcome.stderr).not.toMatch(STACK_TRACE);
    expect(outcome.stderr).not.toMatch(STACK_USED);
  });
});

describe.each([
  ['local', ['--help'], /^usage: npm run local -- <command>/],
  [
    'local',
    ['csv-processor', '--help'],
    /^usage: npm run local -- csv-processor \[options\][\s\S]*--reprocess[\s\S]*--show-errors/,
  ],
  [
    'local',
    ['sync-batch', '-h'],
    /^usage: npm run local -- sync-batch \[options\][\s\S]*--channel-ids <A,B>/,
  ],
  ['local', ['demo', '--help'], /^usage: npm run local -- demo \[options\]/],
  ['local', ['up', '--help'], /^usage: npm run local -- up \[options\][\s\S]*--data-dir/],
  ['invoke', ['--help'], /^usage: npm run invoke -- <function> \[options\][\s\S]*--from-dist/],
  ['bench', ['--help'], /^usage: npm run bench -- <benchmark>/],
  ['bench', ['cold-start', '--help'], /^usage: npm run bench -- cold-start \[<function>…\] \[options\]/],
] as const)('%s %j', (name, args, usage) => {
  const pending = cli(name, args);
  it('prints the usage on stdout and exits 0', async () => {
    const outcome = await pending;
    expect(outcome).toMatchObject({ code: 0, stderr: '' });
    expect(outcome.stdout).toMatch(usage);
  }, 120_000);
});
