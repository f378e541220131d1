import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  BadRequestError,
  HttpError,
  isAPIGatewayProxyEventV1,
  MethodNotAllowedError,
  NotFoundError,
  ParameterValidationError,
  Router,
  UnauthorizedError,
} from '@aws-lambda-powertools/event-handler/http';
import type { RequestContext } from '@aws-lambda-powertools/event-handler/types';
import type { Logger } from '@aws-lambda-powertools/logger';
import * as z from 'zod/mini';
import { InvalidCursorError, type RunRecord, type RunsLedger } from '../shared/runs-ledger';
import {
  consoleUrl,
  isLedgerPipeline,
  LEDGER_PIPELINES,
  logsTailCommand,
  PIPELINES,
  type LedgerPipeline,
} from '../shared/runs-pipelines';
import type { EventPublisher } from './eventbridge';
import {
  healthSchema,
  listRunsQueries,
  MAX_RUN_ID,
  runPageSchema,
  runSchema,
  timeBound,
  triggerAcceptedSchema,
  type ErrorBodyShape,
  type RunBody,
  type RunPageBody,
  type TriggerAcceptedBody,
} from './schemas';

/**
 * The runs API as plain code over a Powertools Router: the Lambda handler and the local
 * HTTP adapter (scripts/local/api.ts) both call `resolve` with an API Gateway REST proxy
 * (v1) event. Errors are JSON {error, message[, field]}: a request a person got wrong is a
 * 400 naming the field, never a 500; a 500 is a fault of ours, logged with the request id.
 */
export type ApiLogger = Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;

export interface RunsApiOptions {
  /** Called on first use, so a cold start creates no client a request does not need. */
  ledger: () => RunsLedger;
  events: () => EventPublisher;
  environment: string;
  /** For the console links of runs. */
  region: string;
  /** Refuse a request that API Gateway did not authorize with IAM (no caller ARN). */
  requireIamIdentity: boolean;
  /** The bus the manual-trigger rules listen on (the account's default bus). */
  eventBusName?: string;
  logger: ApiLogger;
  now?: () => Date;
}

export interface RunsApi {
  resolve(event: unknown, context: Context): Promise<APIGatewayProxyResult>;
}

/** How far before the trigger the poll URL starts, for clocks that disagree a little. */
export const POLL_SKEW_MS = 5_000;

/** A 400 that names the query parameter, path segment or body field at fault. */
class FieldError extends BadRequestError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** An invocation that is not an API Gateway REST proxy request (a direct invoke, a test event). */
export class UnsupportedEventError extends Error {
  override name = 'UnsupportedEventError';
}

/** The resource exists but not with this method; `allow` goes out as the Allow header. */
class NotAllowedError extends MethodNotAllowedError {
  constructor(
    message: string,
    readonly allow: string[],
  ) {
    super(message);
  }
}

/** EventBridge refused the entry (FailedEntryCount > 0): nothing was started. */
class TriggerNotAcceptedError extends HttpError {
  readonly statusCode = 502;
  readonly errorType = 'TriggerNotAccepted';
  constructor(message: string) {
    super(message);
  }
}

const ERROR_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  502: 'TriggerNotAccepted',
};

/**
 * A route's response schema as the router takes it (a Standard Schema), built on the first
 * response it checks: a cold start builds only the schemas of the routes it answers.
 */
function builtOnFirstUse<T>(build: () => z.ZodMiniType<T>): { '~standard': z.ZodMiniType<T>['~standard'] } {
  return {
    '~standard': {
      version: 1,
      vendor: 'zod',
      validate: (value: unknown) => build()['~standard'].validate(value),
    },
  };
}

const responses = {
  health: builtOnFirstUse(healthSchema),
  runPage: builtOnFirstUse(runPageSchema),
  run: builtOnFirstUse(runSchema),
  triggerAccepted: builtOnFirstUse(triggerAcceptedSchema),
};

function errorResponse(status: number, body: ErrorBodyShape, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers });
}

/** The routes, for telling a wrong method (405 with Allow) from an unknown path (404). */
export const ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/health' },
  { method: 'GET', path: '/runs' },
  { method: 'GET', path: '/runs/:pipeline' },
  { method: 'POST', path: '/runs/:pipeline' },
  { method: 'GET', path: '/runs/:pipeline/:runId' },
];

function allowedMethods(path: string): string[] {
  const segments = path.replace(/\/+$/, '').split('/');
  return ROUTES.filter((route) => {
    const pattern = route.path.split('/');
    return (
      pattern.length === segments.length &&
      pattern.every((part, i) => (part.startsWith(':') ? segments[i] !== '' : part === segments[i]))
    );
  }).map((route) => route.method);
}

/** zod issues as one 400: the first field at fault named, every problem in the message. */
function fieldError(issues: z.core.$ZodIssue[], where: 'query' | 'body'): FieldError {
  const describe = (issue: z.core.$ZodIssue) => {
    if (issue.code === 'unrecognized_keys') {
      const field = issue.keys[0] ?? where;
      const fullPath = [...issue.path.map(String), field].join('.');
      return {
        field: fullPath,
        text:
          where === 'query'
            ? issue.message
            : `unknown field ${issue.keys.map((k) => `"${[...issue.path.map(String), k].join('.')}"`).join(', ')}`,
      };
    }
    const field = issue.path.map(String).join('.') || where;
    return { field, text: issue.message };
  };
  const described = issues.map(describe);
  const first = described[0] ?? { field: where, text: 'invalid' };
  const rest = described.slice(1).map((d) => `${d.field}: ${d.text}`);
  return new FieldError(first.field, [first.text, ...rest].join('; '));
}

/** The query string as one value per name; a name given twice is a 400, not a silent pick. */
function queryOf(url: URL): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (name in query) throw new FieldError(name, 'given more than once');
    query[name] = value;
  }
  return query;
}

function knownPipeline(name: string): LedgerPipeline {
  if (!isLedgerPipeline(name))
    throw new NotFoundError(`unknown pipeline "${name}" (known: ${LEDGER_PIPELINES.join(', ')})`);
  return name;
}

export function runBody(run: RunRecord, region: string): RunBody {
  const { ttl: _ttl, ...rest } = run;
  const duration = run.endedAt ? Date.parse(run.endedAt) - Date.parse(run.startedAt) : undefined;
  const console = consoleUrl(run.pipeline, run.links, region);
  return {
    ...rest,
    ...(duration !== undefined && Number.isFinite(duration) ? { durationMs: Math.max(0, duration) } : {}),
    links: {
      ...run.links,
      ...(console ? { console } : {}),
      logsTail: logsTailCommand(run.links.logGroup),
    },
  };
}

interface Caller {
  userArn?: string;
  accountId?: string;
  sourceIp?: string;
  userAgent?: string;
}

/** Who called, from what API Gateway puts in the event after IAM authorization. */
export function callerOf(event: unknown): Caller {
  const identity = (event as Partial<APIGatewayProxyEvent> | undefined)?.requestContext?.identity;
  const pick = (value: unknown) => (typeof value === 'string' && value ? value : undefined);
  return Object.fromEntries(
    Object.entries({
      userArn: pick(identity?.userArn),
      accountId: pick(identity?.accountId),
      sourceIp: pick(identity?.sourceIp),
      userAgent: pick(identity?.userAgent),
    }).filter(([, v]) => v !== undefined),
  );
}

const MAX_BODY_BYTES = 64 * 1024;

async function jsonBody(req: Request): Promise<Record<string, unknown>> {
  const text = await req.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    throw new FieldError('body', `larger than ${MAX_BODY_BYTES / 1024} KiB`);
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FieldError('body', 'not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FieldError('body', 'expected a JSON object');
  return value as Record<string, unknown>;
}

export function createRunsApi(options: RunsApiOptions): RunsApi {
  const { logger } = options;
  const now = options.now ?? (() => new Date());
  const app = new Router({ logger });

  app.use(async ({ reqCtx, next }) => {
    if (options.requireIamIdentity && !callerOf(reqCtx.event).userArn)
      throw new UnauthorizedError('this API takes only requests signed with IAM credentials (SigV4)');
    await next();
  });

  app.get(
    '/health',
    (): z.input<ReturnType<typeof healthSchema>> => ({
      status: 'ok',
      service: 'runs-api',
      environment: options.environment,
      time: now().toISOString(),
    }),
    { validation: { res: { body: responses.health } } },
  );

  async function listRuns(reqCtx: RequestContext, pipeline?: LedgerPipeline): Promise<RunPageBody> {
    const url = new URL(reqCtx.req.url);
    const raw = queryOf(url);
    const queries = listRunsQueries();
    const parsed = z.safeParse(pipeline ? queries.ListPipelineRunsQuery : queries.ListRunsQuery, raw);
    if (!parsed.success) throw fieldError(parsed.error.issues, 'query');
    const query = parsed.data as z.output<typeof queries.ListRunsQuery>;
    const from = query.from === undefined ? undefined : timeBound(query.from, 'from');
    const to = query.to === undefined ? undefined : timeBound(query.to, 'to');
    if (from !== undefined && to !== undefined && from >= to)
      throw new FieldError('to', `must be later than from (from ${from}, to ${to} in UTC)`);
    let page;
    try {
      page = await options.ledger().listRuns({
        pipeline: pipeline ?? query.pipeline,
        status: query.status,
        from,
        to,
        limit: query.limit,
        cursor: query.cursor,
      });
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new FieldError('cursor', error.message);
      throw error;
    }
    const nextQuery = new URLSearchParams({ ...raw, ...(page.cursor ? { cursor: page.cursor } : {}) });
    return {
      runs: page.runs.map((run) => runBody(run, options.region)),
      ...(page.cursor ? { cursor: page.cursor, next: `${url.pathname}?${nextQuery}` } : {}),
    };
  }

  app.get('/runs', (reqCtx) => listRuns(reqCtx), { validation: { res: { body: responses.runPage } } });

  app.get('/runs/:pipeline', (reqCtx) => listRuns(reqCtx, knownPipeline(reqCtx.params.pipeline!)), {
    validation: { res: { body: responses.runPage } },
  });

  app.get(
    '/runs/:pipeline/:runId',
    async (reqCtx) => {
      const pipeline = knownPipeline(reqCtx.params.pipeline!);
      const runId = reqCtx.params.runId!;
      if (runId.length > MAX_RUN_ID) throw new FieldError('runId', `longer than ${MAX_RUN_ID} characters`);
      const run = await options.ledger().getRun(pipeline, runId);
      if (!run) throw new NotFoundError(`no run "${runId}" of ${pipeline} in the ledger`);
      return runBody(run, options.region);
    },
    { validation: { res: { body: responses.run } } },
  );

  app.post(
    '/runs/:pipeline',
    async (reqCtx) => {
      const pipeline = knownPipeline(reqCtx.params.pipeline!);
      const spec = PIPELINES[pipeline];
      if (!spec.manualSource || !spec.manualDetail) {
        throw new NotAllowedError(`${pipeline} has no manual trigger (${spec.summary}); GET lists its runs`, [
          'GET',
        ]);
      }
      const parsed = z.safeParse(spec.manualDetail, await jsonBody(reqCtx.req));
      if (!parsed.success) throw fieldError(parsed.error.issues, 'body');
      const detail = { environment: options.environment, ...parsed.data };
      const submittedAt = now();
      const out = await options.events().putEvents([
        {
          Source: spec.manualSource,
          DetailType: 'manual-trigger',
          Detail: JSON.stringify(detail),
          ...(options.eventBusName ? { EventBusName: options.eventBusName } : {}),
        },
      ]);
      const entry = out.Entries[0];
      if (out.FailedEntryCount > 0 || !entry?.EventId) {
        logger.error('EventBridge refused the manual-trigger event', { pipeline, entry });
        throw new TriggerNotAcceptedError(
          `EventBridge did not accept the manual-trigger event (${entry?.ErrorCode ?? 'no event id'}` +
            `${entry?.ErrorMessage ? `: ${entry.ErrorMessage}` : ''}); nothing was started`,
        );
      }
      const pollFrom = new Date(submittedAt.getTime() - POLL_SKEW_MS).toISOString();
      const poll = `/runs/${pipeline}?${new URLSearchParams({ from: pollFrom })}`;
      const body: TriggerAcceptedBody = {
        pipeline,
        eventId: entry.EventId,
        source: spec.manualSource,
        detailType: 'manual-trigger',
        detail,
        submittedAt: submittedAt.toISOString(),
        poll,
      };
      logger.info('Manual trigger sent', { ...body, caller: callerOf(reqCtx.event).userArn });
      return Response.json(body, { status: 202, headers: { Location: poll } });
    },
    { validation: { res: { body: responses.triggerAccepted } } },
  );

  app.notFound(async (error, reqCtx) => {
    // Thrown by a route (an unknown pipeline or run): its message says what is missing.
    if (reqCtx.route !== null) return errorResponse(404, { error: 'NotFound', message: error.message });
    const path = new URL(reqCtx.req.url).pathname;
    const allow = allowedMethods(path);
    if (allow.length)
      throw new NotAllowedError(
        `${reqCtx.req.method} is not allowed on ${path} (allowed: ${allow.join(', ')})`,
        allow,
      );
    return errorResponse(404, {
      error: 'NotFound',
      message: `no route ${path} (routes: GET /runs, GET /runs/{pipeline}, POST /runs/{pipeline}, GET /runs/{pipeline}/{runId}, GET /health)`,
    });
  });

  const internalError = (error: Error, reqCtx: RequestContext) => {
    const requestId = requestIdOf(reqCtx.event, reqCtx.context);
    logger.error('Request failed', { error, requestId, route: reqCtx.route });
    return errorResponse(500, {
      error: 'InternalError',
      message: `internal error (request id ${requestId})`,
    });
  };

  app.errorHandler(FieldError, async (error) =>
    errorResponse(400, { error: 'BadRequest', message: error.message, field: error.field }),
  );

  // HttpError is abstract: the registry only needs it for instanceof.
  app.errorHandler(HttpError as unknown as new () => HttpError, async (error, reqCtx) => {
    // A response that fails its own schema is our fault, not the caller's.
    if (error.statusCode >= 500 && !(error instanceof TriggerNotAcceptedError))
      return internalError(error, reqCtx);
    return errorResponse(
      error.statusCode,
      { error: ERROR_CODES[error.statusCode] ?? error.errorType, message: error.message },
      error instanceof NotAllowedError ? { Allow: error.allow.join(', ') } : {},
    );
  });

  // A path segment that is not valid percent-encoding, or blank, fails while the route is matched.
  app.errorHandler([URIError, ParameterValidationError], async (error) =>
    errorResponse(400, {
      error: 'BadRequest',
      message: `path: ${error instanceof URIError ? 'not valid percent-encoding' : error.message}`,
      field: 'path',
    }),
  );

  app.errorHandler(Error, async (error, reqCtx) => internalError(error, reqCtx));

  return {
    async resolve(event, context) {
      if (!isAPIGatewayProxyEventV1(event))
        throw new UnsupportedEventError('runs-api takes API Gateway REST API proxy (v1) events only');
      const started = Date.now();
      const result = (await app.resolve(withoutGetBody(event), context)) as APIGatewayProxyResult;
      const e = event as APIGatewayProxyEvent;
      // The audit line: who asked what, and what they got.
      logger.info('Request', {
        method: e.httpMethod,
        path: e.path,
        status: result.statusCode,
        ms: Date.now() - started,
        requestId: requestIdOf(event, context),
        caller: callerOf(event),
      });
      return result;
    },
  };
}

function requestIdOf(event: unknown, context: Partial<Context> | undefined): string {
  return (
    (event as Partial<APIGatewayProxyEvent> | undefined)?.requestContext?.requestId ??
    context?.awsRequestId ??
    'unknown'
  );
}

/**
 * API Gateway passes a body on GET too; a web Request refuses one, and the router would
 * fail before routing. A GET body means nothing here, so it is dropped.
 */
function withoutGetBody(event: unknown): unknown {
  const e = event as Partial<APIGatewayProxyEvent> | undefined;
  if (!e || typeof e !== 'object' || typeof e.httpMethod !== 'string') return event;
  const method = e.httpMethod.toUpperCase();
  return (method === 'GET' || method === 'HEAD') && e.body
    ? { ...e, body: null, isBase64Encoded: false }
    : event;
}
