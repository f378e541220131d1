/**
 * `npm run bench -- cold-start [--runs 10] [function …]`
 *
 * For each dist/<function>.zip: its size, and what a fresh Node process pays to import
 * the bundle (a cold start before the handler runs, with the environment variables
 * Lambda sets that change module-scope behaviour), judged against that function's own
 * floor measured in the same run.
 *
 * Two measures, medians of interleaved runs: wall time, and the CPU time (user + system,
 * every thread) the process itself reports once the import is done. The goal is judged
 * on CPU time: on a shared machine wall time mostly measures the neighbours (the same
 * bundle's wall time moved 2x between runs while other tests ran), while the CPU a load
 * needs does not wait for them. The wall ratio is printed beside it.
 *
 * The floor is a bundle of only the npm packages the function's code imports itself
 * (AWS SDK clients, pg, the YouTube client, …), with the same bindings and the same
 * esbuild options (scripts/build/options.ts): the least any implementation of the
 * function has to load. The packages come from esbuild's metafile of the function's
 * bundle; Powertools and zod are left out of the floor, because what they cost at
 * start-up is exactly what a function can keep off its hot path. A bare `node -e 0`
 * is printed for reference only: one SDK client already costs several times that.
 *
 * Goals: every zip under 1 MB; load CPU time at most 1.15x the function's floor.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import ts from 'typescript';
import { repositoryRoot } from '../../functions/shared/assets';
import { bundleOptions } from '../build/options';
import { parseCommand, type CommandSpec } from '../lib/args';
import { formatTable } from '../lib/table';
import { functionEnvironment } from '../local/pipelines';
import { functionNames } from '../local/pipelines/handlers';

const ZIP_GOAL_BYTES = 1024 * 1024;
const LOAD_GOAL_RATIO = 1.15;

/** Packages whose start-up cost a function is expected to avoid or defer, so not part of the floor. */
const NOT_IN_FLOOR = [/^@aws-lambda-powertools\//, /^zod$/];

/** One static import of an npm package by the function's own code, as the floor repeats it. */
export interface FloorImport {
  /** The import specifier as written, e.g. `@aws-sdk/client-s3` or `pg`. */
  specifier: string;
  /** The package it belongs to, e.g. `@aws-sdk/client-s3` for `@aws-sdk/client-s3/dist-es/x`. */
  packageName: string;
  defaultImport: boolean;
  namespaceImport: boolean;
  named: string[];
}

export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * The static, value (not type-only) imports of npm packages made by the function's own
 * files (every metafile input outside node_modules), merged per specifier. Only imports
 * esbuild resolved into node_modules count, so built-ins and relative imports drop out.
 */
export function floorImports(root: string, metafile: Metafile): FloorImport[] {
  const bySpecifier = new Map<string, FloorImport>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    if (input.includes('node_modules/') || !/\.[cm]?[jt]s$/.test(input)) continue;
    const bundled = new Set(
      info.imports
        .filter((i) => i.path.includes('node_modules/') && i.kind === 'import-statement' && i.original)
        .map((i) => i.original!),
    );
    if (bundled.size === 0) continue;
    const source = ts.createSourceFile(
      input,
      readFileSync(join(root, input), 'utf8'),
      ts.ScriptTarget.Latest,
    );
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const specifier = statement.moduleSpecifier.text;
      if (!bundled.has(specifier)) continue;
      const packageName = packageOf(specifier);
      if (NOT_IN_FLOOR.some((pattern) => pattern.test(packageName))) continue;
      const clause = statement.importClause;
      if (clause?.isTypeOnly) continue;
      const entry = bySpecifier.get(specifier) ?? {
        specifier,
        packageName,
        defaultImport: false,
        namespaceImport: false,
        named: [],
      };
      if (clause?.name) entry.defaultImport = true;
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) entry.namespaceImport = true;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (element.isTypeOnly) continue;
          const name = (element.propertyName ?? element.name).text;
          if (!entry.named.includes(name)) entry.named.push(name);
        }
      }
      bySpecifier.set(specifier, entry);
    }
  }
  return [...bySpecifier.values()].sort((a, b) => a.specifier.localeCompare(b.specifier));
}

/** An ESM entry that imports exactly those bindings and keeps them alive past tree shaking. */
export function floorSource(imports: FloorImport[]): string {
  const lines: string[] = [];
  const kept: string[] = [];
  const local = () => `__floor${kept.length}`;
  for (const entry of imports) {
    const from = JSON.stringify(entry.specifier);
    if (entry.defaultImport) {
      const name = local();
      kept.push(name);
      lines.push(`import ${name} from ${from};`);
    }
    if (entry.namespaceImport) {
      const name = local();
      kept.push(name);
      lines.push(`import * as ${name} from ${from};`);
    }
    if (entry.named.length > 0) {
      const names = entry.named.map((n) => {
        const name = local();
        kept.push(name);
        return `${n} as ${name}`;
      });
      lines.push(`import { ${names.join(', ')} } from ${from};`);
    }
    if (!entry.defaultImport && !entry.namespaceImport && entry.named.length === 0)
      lines.push(`import ${from};`);
  }
  lines.push(`globalThis.__coldStartFloor = [${kept.join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

/** Bundles the function from source only for esbuild's metafile (nothing is written). */
async function functionMetafile(root: string, name: string): Promise<Metafile> {
  const result = await build({
    ...bundleOptions(root),
    entryPoints: [join('functions', name, 'handler.ts')],
    outfile: join(tmpdir(), `cold-start-${name}.mjs`),
    write: false,
  });
  return result.metafile;
}

async function buildFloor(root: string, imports: FloorImport[], outDir: string): Promise<void> {
  await build({
    ...bundleOptions(root),
    stdin: { contents: floorSource(imports), resolveDir: root, sourcefile: 'floor.mjs', loader: 'js' },
    outfile: join(outDir, 'index.mjs'),
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

// The child reports its own CPU time once the import is done (the last line on stdout).
const REPORT_CPU = 'const u = process.cpuUsage(); process.stdout.write(`\\n${(u.user + u.system) / 1000}`);';

function timeProcess(args: string[], cwd: string, env: NodeJS.ProcessEnv): Sample {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) {
    // The bundle is minified onto a few huge lines: keep only the error's own line.
    const reason =
      result.stderr
        .split('\n')
        .find((line) => /^\w*Error\b|^\s*\w+Error:/.test(line))
        ?.slice(0, 300) ?? `exit ${result.status}`;
    throw new Error(reason);
  }
  const cpuMs = Number(result.stdout.split('\n').pop());
  if (!Number.isFinite(cpuMs)) throw new Error(`no CPU time reported: ${result.stdout.slice(-200)}`);
  return { wallMs, cpuMs };
}

const bareArgs = ['-e', REPORT_CPU];
// Import only: module-scope code (SDK clients, Powertools) is what a cold start pays.
const importArgs = (dir: string) => [
  '--input-type=module',
  '-e',
  `await import(${JSON.stringify(resolve(dir, 'index.mjs'))}); ${REPORT_CPU}`,
];

export const command = {
  usage: 'npm run bench -- cold-start',
  summary: "Zip size and bundle load time per function, against the function's own floor.",
  options: {
    runs: { type: 'integer', min: 1, default: 10, description: 'interleaved runs of each measurement' },
  },
  positionals: [
    {
      name: 'function',
      description: 'functions to measure (default: every dist/<function>.zip)',
      variadic: true,
      choices: functionNames(),
    },
  ],
} satisfies CommandSpec;

function parseOptions(argv: string[]): { runs: number; functions: string[] } {
  const { values, positionals } = parseCommand(command, argv);
  return { runs: values.runs, functions: positionals };
}

export async function run(argv: string[]): Promise<void> {
  const options = parseOptions(argv);
  const root = repositoryRoot();
  const dist = join(root, 'dist');
  const zips = existsSync(dist)
    ? readdirSync(dist)
        .filter((f) => f.endsWith('.zip'))
        .map((f) => f.slice(0, -4))
        .filter((name) => options.functions.length === 0 || options.functions.includes(name))
        .sort()
    : [];
  if (!zips.length) throw new Error('No dist/*.zip: run `npm run build` first');

  // What Lambda sets that changes module-scope behaviour: AWS_EXECUTION_ENV switches the
  // Powertools Tracer on (it patches http, https and fetch at construction).
  const env = {
    ...process.env,
    NODE_OPTIONS: '',
    AWS_REGION: 'ap-northeast-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  };
  const rows: string[][] = [];
  const floors: string[] = [];
  let allGood = true;
  for (const name of zips) {
    const dir = mkdtempSync(join(tmpdir(), `cold-${name}-`));
    const floorDir = mkdtempSync(join(tmpdir(), `cold-floor-${name}-`));
    try {
      const unzip = spawnSync('unzip', ['-q', join(dist, `${name}.zip`), '-d', dir]);
      if (unzip.status !== 0) throw new Error(`unzip failed for ${name}`);
      const imports = floorImports(root, await functionMetafile(root, name));
      await buildFloor(root, imports, floorDir);
      floors.push(`  ${name}: ${[...new Set(imports.map((i) => i.packageName))].join(', ') || '(none)'}`);

      const fnEnv = {
        ...env,
        // Handlers parse their configuration at cold start: without it they would not import.
        ...functionEnvironment(name),
        LAMBDA_TASK_ROOT: dir,
        AWS_LAMBDA_FUNCTION_NAME: `${name}-bench`,
      };
      const zipBytes = statSync(join(dist, `${name}.zip`)).size;
      // Interleaved, so whatever else the machine does meanwhile falls on all three alike.
      const samples = { bare: [] as Sample[], floor: [] as Sample[], load: [] as Sample[] };
      try {
        for (let i = 0; i < options.runs; i++) {
          samples.bare.push(timeProcess(bareArgs, tmpdir(), env));
          samples.floor.push(timeProcess(importArgs(floorDir), floorDir, fnEnv));
          samples.load.push(timeProcess(importArgs(dir), dir, fnEnv));
        }
      } catch (error) {
        allGood = false;
        rows.push([
          name,
          String(zipBytes),
          'import failed',
          '-',
          '-',
          '-',
          '-',
          '-',
          `NO: ${(error as Error).message}`,
        ]);
        continue;
      }
      const cpu = (list: Sample[]) => median(list.map((x) => x.cpuMs));
      const wall = (list: Sample[]) => median(list.map((x) => x.wallMs));
      const cpuRatio = cpu(samples.load) / cpu(samples.floor);
      const ok = zipBytes < ZIP_GOAL_BYTES && cpuRatio <= LOAD_GOAL_RATIO;
      allGood &&= ok;
      rows.push([
        name,
        String(zipBytes),
        `${cpu(samples.bare).toFixed(0)} / ${wall(samples.bare).toFixed(0)}`,
        `${cpu(samples.floor).toFixed(0)} / ${wall(samples.floor).toFixed(0)}`,
        `${cpu(samples.load).toFixed(0)} / ${wall(samples.load).toFixed(0)}`,
        `${(cpu(samples.floor) / cpu(samples.bare)).toFixed(1)}x`,
        `${cpuRatio.toFixed(2)}x`,
        `${(wall(samples.load) / wall(samples.floor)).toFixed(2)}x`,
        ok ? 'yes' : 'NO',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(floorDir, { recursive: true, force: true });
    }
  }
  const header = [
    'function',
    'zip bytes',
    'bare node ms cpu/wall',
    'floor ms cpu/wall',
    'load ms cpu/wall',
    'floor / bare cpu',
    'load / floor cpu',
    'load / floor wall',
    'within goal',
  ];
  process.stdout.write(
    [
      `cold-start: medians of ${options.runs} interleaved runs, ${process.version}; goals: zip < 1 MB, load CPU time <= ${LOAD_GOAL_RATIO}x the function's floor`,
      formatTable(header, rows),
      "floor = a bundle of only these packages, imported as the function's code imports them:",
      ...floors,
      allGood ? 'All functions within goal.' : 'Some functions miss the goal (see above).',
      '',
    ].join('\n'),
  );
}
