import { pipelineOf } from '../pipelines';
import { loadHandler } from './handlers';
import { withEnv } from './runner';
import type { LocalPipeline, Prepared, RunContext } from './types';

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

export interface Invoker {
  invoke(name: string, event: unknown, env?: Record<string, string>): Promise<unknown>;
  /** Cleans up what the pipelines' prepare started (the fake YouTube API). */
  close(): Promise<void>;
}

/**
 * Invokes handlers on the stack of `ctx`. Each pipeline is prepared once per invoker:
 * a handler reads its configuration when first loaded, so in one process every later
 * call must find the same environment (as in one warm Lambda execution environment).
 */
export function createInvoker(ctx: RunContext): Invoker {
  const prepared = new Map<LocalPipeline, Promise<Prepared>>();
  const prepare = (pipeline: LocalPipeline) => {
    let ready = prepared.get(pipeline);
    if (!ready) {
      ready = pipeline.prepare(ctx);
      prepared.set(pipeline, ready);
    }
    return ready;
  };
  return {
    async invoke(name, event, env = {}) {
      const pipeline = pipelineOf(name);
      const pipelineEnv = pipeline ? (await prepare(pipeline)).env : {};
      return withEnv(
        {
          AWS_LAMBDA_FUNCTION_NAME: process.env.AWS_LAMBDA_FUNCTION_NAME ?? `${name}-local`,
          POWERTOOLS_SERVICE_NAME: process.env.POWERTOOLS_SERVICE_NAME ?? name,
          ...pipelineEnv,
          ...env,
        },
        async () => {
          await pipeline?.prepareEvents?.(ctx);
          const loaded = await loadHandler(name, {
            fromDist: ctx.fromDist,
            env: { ...ctx.env, ...pipelineEnv, ...env },
          });
          try {
            return await loaded.handler(event, lambdaContext(`${name}-local`));
          } finally {
            await loaded.close();
          }
        },
      );
    },
    async close() {
      for (const ready of prepared.values()) await (await ready.catch(() => undefined))?.cleanup?.();
    },
  };
}
