import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { ConfigError, env, loadConfig } from '../shared/config';
import { createLogger } from '../shared/logger';
import { createRunsLedger, type RunsLedger } from '../shared/runs-ledger';
import { createRunsApi, type ApiLogger, type RunsApi } from './api';
import { createEventBridge, type EventPublisher } from './eventbridge';

/**
 * runs-api: the REST API over the run ledger behind API Gateway (REST, proxy integration,
 * IAM authorization on every route). Routes: GET /runs, GET /runs/{pipeline},
 * GET /runs/{pipeline}/{runId}, POST /runs/{pipeline} (a manual run through EventBridge),
 * GET /health; docs/runs-api.openapi.json describes them. Locally `npm run local -- api`
 * serves the same code over HTTP.
 */
export const RunsApiConfig = z.object({
  RUNS_TABLE: env.string(),
  /** dev | prd; defaults to the suffix of RUNS_TABLE (pipeline-runs-<env>), as the recorder's. */
  ENVIRONMENT: z.optional(z.string().check(z.minLength(1))),
  /** `true` where API Gateway authorizes with IAM: a request without a caller ARN is refused. */
  REQUIRE_IAM_IDENTITY: env.bool(false),
  /** The bus of the manual-trigger rules; the account's default bus when unset. */
  EVENT_BUS_NAME: z.optional(z.string()),
  AWS_REGION: z._default(z.string(), 'ap-northeast-1'),
});
export type RunsApiConfig = z.output<typeof RunsApiConfig> & { ENVIRONMENT: string };

/** The configuration from the environment; a missing or malformed variable is a ConfigError. */
export function loadRunsApiConfig(environment: NodeJS.ProcessEnv = process.env): RunsApiConfig {
  const config = loadConfig(RunsApiConfig, environment);
  const name = config.ENVIRONMENT ?? /^pipeline-runs-(.+)$/.exec(config.RUNS_TABLE)?.[1];
  if (!name)
    throw new ConfigError(
      'Invalid configuration: ENVIRONMENT is required when RUNS_TABLE is not pipeline-runs-<env>',
    );
  return { ...config, ENVIRONMENT: name };
}

/** The API on the environment's ledger and EventBridge; their clients are made on first use. */
export function runsApiFromConfig(
  config: RunsApiConfig,
  logger: ApiLogger,
  overrides: { events?: () => EventPublisher } = {},
): RunsApi {
  let ledger: RunsLedger | undefined;
  let events: EventPublisher | undefined;
  return createRunsApi({
    ledger: () => (ledger ??= createRunsLedger({ table: config.RUNS_TABLE })),
    events: overrides.events ?? (() => (events ??= createEventBridge())),
    environment: config.ENVIRONMENT,
    region: config.AWS_REGION,
    requireIamIdentity: config.REQUIRE_IAM_IDENTITY,
    eventBusName: config.EVENT_BUS_NAME || undefined,
    logger,
  });
}

// A Logger alone, not shared/observability: the API emits no metrics of its own (API Gateway
// measures requests, latency and errors), so its cold start skips loading Powertools Metrics.
export const logger = createLogger('runs-api');
let api: RunsApi | undefined;

export const handler = async (event: unknown, context: Context): Promise<APIGatewayProxyResult> => {
  if (context?.awsRequestId) logger.addContext(context);
  try {
    api ??= runsApiFromConfig(loadRunsApiConfig(), logger);
  } catch (error) {
    // A deploy without its configuration: our fault, said in the log, generic to the caller.
    logger.error('runs-api is not configured', { error: error as Error });
    return {
      statusCode: 500,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        error: 'InternalError',
        message: `internal error (request id ${context?.awsRequestId ?? 'unknown'})`,
      }),
    };
  }
  return api.resolve(event, context);
};
