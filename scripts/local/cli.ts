/**
 * `npm run local -- <command> [options]`
 *
 *   up                      start the embedded stack and keep it running (Ctrl-C stops it)
 *   demo                    every pipeline on generated data, then a summary table
 *   api [--port N]          the runs REST API over the local run ledger (Ctrl-C stops it)
 *   report [--date D]       the runs report page for the local run ledger (prints its path)
 *   <pipeline> [options]    run one pipeline end to end (see scripts/local/pipelines/)
 *
 * stdout carries only the result: a summary for a person, or with --json exactly one
 * JSON object. Logs and metrics go to stderr. Exit 0 when the pipeline ran (whatever
 * the data verdict), 2 on bad input, 1 when it could not run.
 */
import { formatUsage, parseCommand, runCli, UsageError, type CommandSpec } from '../lib/args';
import { pipelines } from './pipelines';
import { runUp, upCommand } from './up';
import { runDemo } from './demo';
import { reserveStdout } from './io';

const commands: Record<string, string> = {
  up: 'start PostgreSQL, S3 and DynamoDB until Ctrl-C',
  demo: 'run every pipeline end to end on generated data, then a summary table',
  api: 'serve the runs REST API on 127.0.0.1 over the local run ledger until Ctrl-C',
  report: 'write the runs report page for the local run ledger to .local/reports/ and print its path',
  ...Object.fromEntries(Object.values(pipelines).map((p) => [p.name, p.summary])),
};

// The longest name (salesforce-extract) still gets a gap before its summary.
const COMMAND_WIDTH = Math.max(16, ...Object.keys(commands).map((name) => name.length + 2));

const spec: CommandSpec = {
  usage: 'npm run local --',
  options: {},
  positionals: [{ name: 'command', description: 'what to run', required: true }],
  notes: [
    'commands:',
    ...Object.entries(commands).map(([name, summary]) => `  ${name.padEnd(COMMAND_WIDTH)}${summary}`),
    '',
    '`npm run local -- <command> --help` lists the options of a command.',
  ],
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command.startsWith('-')) {
    parseCommand(spec, argv);
    throw new UsageError('missing <command>', formatUsage(spec));
  }
  if (command === 'up') {
    parseCommand(upCommand, rest);
    return runUp(rest);
  }
  if (command === 'demo') {
    parseCommand({ usage: 'npm run local -- demo', summary: commands.demo, options: {} }, rest);
    return runDemo();
  }
  if (command === 'api') {
    // Loaded on demand: the API's modules are no cost to the other commands.
    const { apiCommand, runApi } = await import('./api');
    parseCommand(apiCommand, rest);
    return runApi(rest);
  }
  if (command === 'report') {
    const { reportCommand, runReport } = await import('./report');
    parseCommand(reportCommand, rest);
    return runReport(rest);
  }
  const pipeline = pipelines[command];
  if (!pipeline) {
    throw new UsageError(
      `unknown command "${command}" (valid: ${Object.keys(commands).join(', ')})`,
      formatUsage(spec),
    );
  }
  // Bad options are reported before anything starts.
  const { values } = parseCommand(pipeline.command, rest);
  const print = reserveStdout();
  const result = await pipeline.run(rest);
  print(values.json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
  return 0;
}

runCli(() => main(process.argv.slice(2)));
