import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { startStack } from './stack';

/** `npm run local -- up [--data-dir DIR]`: run the stack until Ctrl-C. */
export async function runUp(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string', default: join(process.cwd(), '.local', 'stack') } },
  });
  const stack = await startStack({ dataDir: values['data-dir'] });
  const exports = Object.entries(stack.env)
    .map(([k, v]) => `export ${k}=${v}`)
    .join('\n');
  process.stdout.write(
    [
      'Local stack is up (Ctrl-C to stop).',
      `  PostgreSQL  ${stack.databaseUrl}`,
      `  S3          ${stack.s3Endpoint}`,
      `  DynamoDB    ${stack.dynamodbEndpoint}`,
      `  Secrets     ${stack.secretsFile}`,
      `  Data        ${values['data-dir']}`,
      '',
      'Use it from another shell:',
      exports,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  process.stdout.write('\nStopping…\n');
  await stack.stop();
  return 0;
}
