import { pipelineOf } from '../pipelines';
import { loadHandler } from './handlers';
import { withEnv } from './runner';
import type { RunContext } from './types';

/**
 * One handler call on the local stack, as `npm run invoke` makes it: the function's
 * pipeline creates what the handler needs (buckets, tables, schema, the objects the
 * example events name) and supplies the environment Terraform would set; `env`
 * overrides it.
 */
export function lambdaContext(functionName: string) {
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

export async function invokeFunction(
  name: string,
  event: unknown,
  ctx: RunContext,
  env: Record<string, string> = {},
): Promise<unknown> {
  const pipeline = pipelineOf(name);
  const prepared = pipeline ? await pipeline.prepare(ctx) : { env: {} };
  try {
    return await withEnv(
      {
        AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME ?? `${name}-local`,
        POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? name,
        ...prepared.env,
        ...env,
      },
      async () => {
        await pipeline?.prepareEvents?.(ctx);
        const loaded = await loadHandler(name, {
          fromDist: ctx.fromDist,
          env: { ...ctx.env, ...prepared.env, ...env },
        });
        try {
          return await loaded.handler(event, lambdaContext(`${name}-local`));
        } finally {
          await loaded.close();
        }
      },
    );
  } finally {
    await prepared.cleanup?.();
  }
}
