/**
 * `npm run local -- <command> [options]`
 *
 *   up                      start the embedded stack and keep it running (Ctrl-C stops it)
 *   <pipeline> [options]    run one pipeline end to end (see scripts/local/pipelines/)
 *
 * With --json a pipeline prints exactly one JSON object on stdout; every log line
 * goes to stderr. Exit 0 when the pipeline ran (whatever the data verdict).
 */
import { pipelines } from './pipelines';
import { runUp } from './up';
import { runDemo } from './demo';
import { reserveStdout } from './io';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    process.stderr.write(
      `usage: npm run local -- <command> [options]\n\ncommands:\n  up                    start PostgreSQL, S3 and DynamoDB until Ctrl-C\n  demo                  run every pipeline end to end on generated data\n${Object.entries(
        pipelines,
      )
        .map(([name, p]) => `  ${name.padEnd(22)}${p.summary}`)
        .join('\n')}\n`,
    );
    return command ? 0 : 2;
  }
  if (command === 'up') return runUp(rest);
  if (command === 'demo') return runDemo();
  const pipeline = pipelines[command];
  if (!pipeline) {
    process.stderr.write(`Unknown command "${command}". Try: up, ${Object.keys(pipelines).join(', ')}\n`);
    return 2;
  }
  const json = rest.includes('--json');
  const args = rest.filter((a) => a !== '--json');
  const print = json ? reserveStdout() : (text: string) => process.stdout.write(text);
  const result = await pipeline.run(args);
  print(json ? `${JSON.stringify(result.json)}\n` : `${result.text}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
