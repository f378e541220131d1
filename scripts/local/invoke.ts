/**
 * `npm run invoke -- <function> --event <file.json> [--env KEY=VALUE …] [--from-dist]`
 *
 * Runs one handler in-process, like `sam local invoke`, and prints its JSON result
 * on stdout (logs on stderr). It uses the stack `npm run local -- up` keeps running,
 * the services DATABASE_URL / AWS_ENDPOINT_URL* name, or a throw-away stack for this
 * one call. The function's pipeline prepares what the handler needs.
 */
import { readFileSync } from 'node:fs';
import { formatUsage, parseCommand, runCli, UsageError, type CommandSpec } from '../lib/args';
import { reserveStdout } from './io';
import { functionNames } from './pipelines/handlers';
import { createInvoker } from './pipelines/invoke-function';
import { onLocalStack } from './pipelines/runner';

const spec = {
  usage: 'npm run invoke --',
  summary: 'Runs one function’s handler on the local stack and prints its JSON result.',
  options: {
    event: {
      type: 'file',
      value: 'file.json',
      description: 'the event (default {}); see functions/<function>/events/',
    },
    env: { type: 'pairs', description: 'set an environment variable for the handler (repeatable)' },
    'from-dist': {
      type: 'boolean',
      description: 'run dist/<function>.zip (npm run build) instead of the sources',
    },
  },
  positionals: [
    { name: 'function', description: 'a folder under functions/', required: true, choices: functionNames() },
  ],
  notes: [
    'example:',
    '  npm run invoke -- csv-validator --event functions/csv-validator/events/object-created.json',
  ],
} satisfies CommandSpec;

function readEvent(file: string | undefined): unknown {
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `--event: ${file} is not valid JSON (${(error as Error).message})`,
      formatUsage(spec),
    );
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommand(spec, argv);
  const name = positionals[0]!;
  // A broken event file is the person's to fix: said before any stack starts.
  const event = readEvent(values.event);
  const print = reserveStdout();
  return onLocalStack(`invoke ${name}`, { fromDist: values['from-dist'] }, async (ctx) => {
    const invoker = createInvoker(ctx);
    try {
      const result = await invoker.invoke(name, event, values.env);
      print(`${JSON.stringify(result ?? null, null, 2)}\n`);
      return 0;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // What the Lambda service reports for a function error: the handler failed, not the command.
      const e = error instanceof Error ? error : new Error(String(error));
      print(`${JSON.stringify({ errorType: e.name, errorMessage: e.message })}\n`);
      return 1;
    } finally {
      await invoker.close();
    }
  });
}

runCli(() => main(process.argv.slice(2)));
