import type { Context } from 'aws-lambda';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import { PermanentError } from '../shared/errors';
import { createObservability } from '../shared/observability';
import { loadExtractConfig, type ExtractConfig } from './config';
import { errorMetric } from './errors';
import type { StepDeps } from './steps/deps';
import { StepEventSchema, type StepEvent } from './steps/types';

/**
 * salesforce-extract: one function, the state machine's every task. The event's `step`
 * picks the work (preflight, plan, rest, createJob, pollJob, download, commit, abort,
 * summarize); each per-object step takes the object's task state and returns it updated
 * (steps/types.ts is the contract with the ASL). The SDK clients, the secret and the
 * Salesforce client are created on first use, so loading the module stays cheap.
 */
const { logger, metrics } = createObservability({
  serviceName: 'salesforce-extract',
  namespace: 'salesforce-extract',
});

/** The event does not match any step's shape. */
export class InvalidStepEventError extends PermanentError {
  override name = 'InvalidStepEventError';
}

/** What a test may replace: the clock, the clients, the configuration. */
export type DepsOverrides = Partial<Omit<StepDeps, 'deadline' | 'log'>>;

type LambdaContext = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

/** Without a Lambda context (a local run calling the handler directly): Lambda's 15-minute maximum. */
const DEFAULT_REMAINING_MS = 900_000;

export function createHandler(overrides: DepsOverrides = {}) {
  let config: ExtractConfig | undefined;
  let shared: Omit<StepDeps, 'deadline' | 'log' | 'config'> | undefined;

  const base = async (): Promise<Omit<StepDeps, 'deadline' | 'log'>> => {
    config ??= overrides.config ?? loadExtractConfig();
    const cfg = config;
    shared ??= await (async () => {
      const [{ s3Client }, { documentClient }] = await Promise.all([
        import('../shared/s3'),
        import('../shared/dynamo'),
      ]);
      return {
        s3: overrides.s3 ?? s3Client(),
        ddb: overrides.ddb ?? documentClient(),
        now: overrides.now ?? (() => new Date()),
        salesforce:
          overrides.salesforce ??
          (async () => {
            const [{ getSecretJson }, { salesforceSecretSchema }, { TokenProvider }, { SalesforceClient }] =
              await Promise.all([
                import('../shared/secrets'),
                import('./secret'),
                import('./auth'),
                import('./http'),
              ]);
            const secret = await getSecretJson(cfg.SALESFORCE_SECRET_ID, salesforceSecretSchema);
            const log = (entry: Record<string, unknown>) =>
              logger.info(String(entry.message ?? 'salesforce'), entry);
            return new SalesforceClient({
              tokens: new TokenProvider(secret, { log }),
              apiVersion: cfg.SALESFORCE_API_VERSION,
              log,
            });
          }),
      };
    })();
    return { config: cfg, ...shared };
  };

  return async (rawEvent: unknown, context?: Partial<LambdaContext>): Promise<unknown> => {
    if (context?.awsRequestId) logger.addContext(context as Context);
    const parsed = z.safeParse(StepEventSchema, rawEvent);
    if (!parsed.success) {
      const step = (rawEvent as { step?: unknown } | null)?.step;
      const where = parsed.error.issues
        .slice(0, 5)
        .map((i) => i.path.join('.') || '(event)')
        .join(', ');
      throw new InvalidStepEventError(
        `Event for step ${JSON.stringify(step)} has an unexpected shape (check: ${where})`,
      );
    }
    const event = parsed.data;
    const remaining = context?.getRemainingTimeInMillis?.() ?? DEFAULT_REMAINING_MS;
    const object = 'task' in event ? event.task.object : undefined;
    try {
      const deps: StepDeps = {
        ...(await base()),
        deadline: Date.now() + remaining - (config?.TIME_BUDGET_RESERVE_MS ?? 0),
        log: (message, fields) => logger.info(message, { step: event.step, ...fields }),
      };
      return await dispatch(deps, event);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      metrics.addMetric(errorMetric(e) ?? e.name, MetricUnit.Count, 1);
      logger.error('step failed', { step: event.step, object, errorName: e.name, errorMessage: e.message });
      throw e;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

async function dispatch(deps: StepDeps, event: StepEvent): Promise<unknown> {
  switch (event.step) {
    case 'preflight':
      return (await import('./steps/preflight')).preflight(deps, event);
    case 'plan':
      return (await import('./steps/plan')).plan(deps, event.task);
    case 'rest':
      return (await import('./steps/rest')).restExtract(deps, event.task);
    case 'createJob':
      return (await import('./steps/bulk')).createJob(deps, event.task);
    case 'pollJob':
      return (await import('./steps/bulk')).pollJob(deps, event.task);
    case 'download':
      return (await import('./steps/download')).download(deps, event.task);
    case 'commit': {
      const result = await (await import('./steps/finish')).commit(deps, event.task);
      metrics.addMetric('ObjectsExtracted', MetricUnit.Count, 1);
      metrics.addMetric('RecordsExtracted', MetricUnit.Count, result.records);
      metrics.addMetric('BytesWritten', MetricUnit.Bytes, result.bytes);
      metrics.addMetric(
        result.records === 0 ? 'EmptyExtractions' : 'NonEmptyExtractions',
        MetricUnit.Count,
        1,
      );
      metrics.addMetric('ApiCallsUsed', MetricUnit.Count, event.task.stats.apiCalls);
      // Also per object (0 included): Terraform's <prefix>-<Object>-no-records alarm watches one object.
      const perObject = metrics.singleMetric();
      perObject.addDimension('object', event.task.object);
      perObject.addMetric('RecordsExtracted', MetricUnit.Count, result.records);
      return result;
    }
    case 'abort': {
      const result = await (await import('./steps/finish')).abort(deps, event.task);
      metrics.addMetric('ObjectsFailed', MetricUnit.Count, 1);
      return result;
    }
    case 'summarize':
      return (await import('./steps/finish')).summarize(event.results);
  }
}

export const handler = createHandler();
