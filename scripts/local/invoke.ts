/**
 * `npm run invoke -- <function> --event <file.json> [--env KEY=VALUE …]`
 *
 * Runs one handler in-process, like `sam local invoke`, and prints its JSON result
 * on stdout (logs on stderr). It talks to the local stack started by
 * `npm run local -- up` (its endpoints are read from .local/stack/env.json), to
 * whatever DATABASE_URL / AWS_ENDPOINT_URL* already point at, or — with neither —
 * to a throw-away stack started for this one call. The function's pipeline
 * prepares what the handler needs (buckets, tables, schema, env vars).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repositoryRoot } from '../../functions/shared/assets';
import { resetPool } from '../../functions/shared/db';
import { reserveStdout } from './io';
import { pipelines } from './pipelines';
import { startStack } from './stack';
import { STACK_ENV_FILE } from './up';

function lambdaContext(functionName: string) {
  const started = Date.now();
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: `local-${started}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, 900_000 - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { event: { type: 'string' }, env: { type: 'string', multiple: true, default: [] } },
  });
  const [name] = positionals;
  const root = repositoryRoot();
  if (!name || !existsSync(join(root, 'functions', name, 'handler.ts'))) {
    process.stderr.write('usage: npm run invoke -- <function> --event <file.json> [--env KEY=VALUE]\n');
    return 2;
  }
  const print = reserveStdout();
  const event = values.event ? JSON.parse(readFileSync(values.event, 'utf8')) : {};

  const external =
    process.env.DATABASE_URL || process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3;
  const running = !external && existsSync(join(root, STACK_ENV_FILE));
  if (running) Object.assign(process.env, JSON.parse(readFileSync(join(root, STACK_ENV_FILE), 'utf8')));
  const stack = external || running ? undefined : await startStack({ log: () => undefined });
  if (stack) Object.assign(process.env, stack.env);
  try {
    const pipeline = Object.values(pipelines).find((p) => p.functions?.includes(name));
    if (pipeline?.prepare) Object.assign(process.env, await pipeline.prepare(process.env));
    for (const pair of values.env) {
      const at = pair.indexOf('=');
      if (at > 0) process.env[pair.slice(0, at)] = pair.slice(at + 1);
    }
    process.env.AWS_LAMBDA_FUNCTION_NAME ??= `${name}-local`;
    process.env.POWERTOOLS_SERVICE_NAME ??= name;
    const module = (await import(join(root, 'functions', name, 'handler.ts'))) as {
      handler: (event: unknown, context: unknown) => Promise<unknown>;
    };
    const result = await module.handler(event, lambdaContext(`${name}-local`));
    print(`${JSON.stringify(result ?? null, null, 2)}\n`);
    return 0;
  } finally {
    await resetPool();
    await stack?.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const e = error as Error;
    process.stderr.write(`${JSON.stringify({ errorType: e.name, errorMessage: e.message })}\n`);
    process.exit(1);
  },
);
