import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { STACK_PID_KEY, stackEnvFile, startStack } from './stack';

export { STACK_ENV_FILE } from './stack';

/** `npm run local -- up [--data-dir DIR]`: run the stack until Ctrl-C. */
export async function runUp(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'data-dir': { type: 'string', default: join(process.cwd(), '.local', 'stack') } },
  });
  const stack = await startStack({ dataDir: values['data-dir'] });
  const envFile = stackEnvFile();
  await mkdir(dirname(envFile), { recursive: true });
  await writeFile(
    envFile,
    `${JSON.stringify({ ...stack.env, [STACK_PID_KEY]: String(process.pid) }, null, 2)}\n`,
  );
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
  await rm(envFile, { force: true });
  await stack.stop();
  return 0;
}
