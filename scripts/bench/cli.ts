/**
 * `npm run bench -- <name> [options]`. Benchmarks print ratios against a ceiling
 * measured in the same run on the same machine; they never fail a build on time.
 * Each benchmark declares its options (`command`) and checks them before measuring.
 */
import { formatUsage, parseCommand, runCli, UsageError, type CommandSpec } from '../lib/args';

type Bench = { command: CommandSpec; run(args: string[]): Promise<void> };

const benches: Record<string, { summary: string; load: () => Promise<Bench> }> = {
  'cold-start': { summary: 'zip size and bundle load time per function', load: () => import('./cold-start') },
  'csv-processor': {
    summary: 'processor rows/s against COPY and per-row UPDATE; validator memory',
    load: () => import('./csv-processor'),
  },
  'sync-batch': {
    summary: 'quota, merge rows/s against COPY, bundle load time',
    load: () => import('./sync-batch'),
  },
  etl: {
    summary: 'one day end to end (extract + load) against INSERT … SELECT; peak RSS per function',
    load: () => import('./etl'),
  },
  'salesforce-extract': {
    summary: 'Bulk extraction records/s and peak RSS at 10k and 1M against a raw HTTP → S3 copy',
    load: () => import('./salesforce-extract'),
  },
};

// The longest name (salesforce-extract) still gets a gap before its summary.
const NAME_WIDTH = Math.max(15, ...Object.keys(benches).map((name) => name.length + 2));

const spec: CommandSpec = {
  usage: 'npm run bench --',
  options: {},
  positionals: [
    { name: 'benchmark', description: 'which one', required: true, choices: Object.keys(benches) },
  ],
  notes: [
    'benchmarks:',
    ...Object.entries(benches).map(([name, b]) => `  ${name.padEnd(NAME_WIDTH)}${b.summary}`),
    '',
    '`npm run bench -- <benchmark> --help` lists its options.',
  ],
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name.startsWith('-')) {
    parseCommand(spec, argv);
    throw new UsageError('missing <benchmark>', formatUsage(spec));
  }
  const bench = benches[name];
  if (!bench)
    throw new UsageError(
      `unknown benchmark "${name}" (valid: ${Object.keys(benches).join(', ')})`,
      formatUsage(spec),
    );
  const module = await bench.load();
  // Bad options are reported before anything is built or started.
  parseCommand(module.command, rest);
  await module.run(rest);
  return 0;
}

runCli(() => main(process.argv.slice(2)));
