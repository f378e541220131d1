/**
 * `npm run bench -- cold-start [--runs 10] [function …]`
 *
 * For each dist/<function>.zip: its size, and the median wall time of a fresh
 * Node 24 process that imports the bundle (what Lambda pays on a cold start before
 * the handler runs), next to a bare `node -e 0` measured in the same run.
 * Goals: every zip under 1 MB, load time under 2x a bare start.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot } from '../../functions/shared/assets';
import { formatTable } from '../lib/table';

const ZIP_GOAL_BYTES = 1024 * 1024;
const LOAD_GOAL_RATIO = 2;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function timeProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    // The bundle is minified onto a few huge lines: keep only the error's own line.
    const reason =
      result.stderr
        .split('\n')
        .find((line) => /^\w*Error\b|^\s*\w+Error:/.test(line))
        ?.slice(0, 300) ?? `exit ${result.status}`;
    throw new Error(reason);
  }
  return elapsed;
}

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { runs: { type: 'string', default: '10' } },
  });
  const runs = Number(values.runs);
  const dist = join(repositoryRoot(), 'dist');
  const zips = existsSync(dist)
    ? readdirSync(dist)
        .filter((f) => f.endsWith('.zip'))
        .map((f) => f.slice(0, -4))
        .filter((name) => positionals.length === 0 || positionals.includes(name))
        .sort()
    : [];
  if (!zips.length) throw new Error('No dist/*.zip: run `npm run build` first');

  const env = { ...process.env, NODE_OPTIONS: '', AWS_REGION: 'ap-northeast-1' };
  const bare = median(Array.from({ length: runs }, () => timeProcess(['-e', '0'], tmpdir(), env)));
  const rows: string[][] = [];
  let allGood = true;
  for (const name of zips) {
    const dir = mkdtempSync(join(tmpdir(), `cold-${name}-`));
    try {
      const unzip = spawnSync('unzip', ['-q', join(dist, `${name}.zip`), '-d', dir]);
      if (unzip.status !== 0) throw new Error(`unzip failed for ${name}`);
      const entry = resolve(dir, 'index.mjs');
      // Import only: module-scope code (SDK clients, Powertools) is what a cold start pays.
      const script = `await import(${JSON.stringify(entry)});`;
      // The environment Terraform gives the function (example values): handlers parse
      // their configuration at cold start, so the import needs it.
      const exampleEnv = join(repositoryRoot(), 'functions', name, 'events', 'environment.json');
      const fnEnv = {
        ...env,
        ...(existsSync(exampleEnv)
          ? (JSON.parse(readFileSync(exampleEnv, 'utf8')) as Record<string, string>)
          : {}),
        LAMBDA_TASK_ROOT: dir,
        AWS_LAMBDA_FUNCTION_NAME: `${name}-bench`,
      };
      const zipBytes = statSync(join(dist, `${name}.zip`)).size;
      let load: number;
      try {
        load = median(
          Array.from({ length: runs }, () => timeProcess(['--input-type=module', '-e', script], dir, fnEnv)),
        );
      } catch (error) {
        allGood = false;
        rows.push([
          name,
          String(zipBytes),
          'import failed',
          bare.toFixed(1),
          '-',
          `NO: ${(error as Error).message}`,
        ]);
        continue;
      }
      const ratio = load / bare;
      const ok = zipBytes < ZIP_GOAL_BYTES && ratio < LOAD_GOAL_RATIO;
      allGood &&= ok;
      rows.push([
        name,
        String(zipBytes),
        load.toFixed(1),
        bare.toFixed(1),
        ratio.toFixed(2),
        ok ? 'yes' : 'NO',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const header = ['function', 'zip bytes', 'load ms (median)', 'bare node ms', 'ratio', 'within goal'];
  process.stdout.write(
    [
      `cold-start: ${runs} runs each, ${process.version}; goals: zip < 1 MB, load < ${LOAD_GOAL_RATIO}x bare start`,
      formatTable(header, rows),
      allGood ? 'All functions within goal.' : 'Some functions miss the goal (see above).',
      '',
    ].join('\n'),
  );
}
