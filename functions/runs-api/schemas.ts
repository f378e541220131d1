import * as z from 'zod/mini';
import { jstDayRange } from '../shared/jst';
import { MAX_LIMIT, RUN_STATUSES, TRIGGERS } from '../shared/runs-ledger';
import { lazy, LEDGER_PIPELINES } from '../shared/runs-pipelines';

/**
 * The request and response schemas of runs-api. The routes validate with them and
 * scripts/runs/openapi.ts turns the same schemas into docs/runs-api.openapi.json, so the
 * document cannot say something the API does not do.
 *
 * What only some requests need is built on first use (lazy): the list routes' query schemas
 * and the document-only ones. The response schemas are built when the module loads: the
 * router takes them when it registers its routes, on the first request whatever it is.
 */
/** Describes `schema` itself (the registry is keyed by instance: describe a fresh one). */
const doc = <S extends z.ZodMiniType>(schema: S, meta: z.core.GlobalMeta): S => {
  z.globalRegistry.add(schema, meta);
  return schema;
};

export const DEFAULT_LIMIT = 20;
/** Longer than any execution name (80) or request id (36); DynamoDB keys stop at 1,024 bytes. */
export const MAX_RUN_ID = 256;

// ----- time bounds -------------------------------------------------------------------------

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * A `from`/`to` value as the instant it bounds (ISO-8601 UTC with milliseconds, the
 * ledger's startedAt form), or undefined when it is neither a date nor a date-time.
 * A date is a JST day: `from` is its first instant, `to` the first instant of the next day
 * (so `to=2026-12-01` includes all of 1 December in Japan). A date-time without an offset
 * is JST as well; with `Z` or an offset it is that instant.
 */
export function timeBound(value: string, edge: 'from' | 'to'): string | undefined {
  try {
    if (DATE.test(value)) {
      const day = jstDayRange(value);
      return (edge === 'from' ? day.start : day.end).toISOString();
    }
    const match = DATE_TIME.exec(value);
    if (!match) return undefined;
    jstDayRange(match[1]!); // throws on an impossible calendar date
    const at = Date.parse(match[2] ? value : `${value}+09:00`);
    return Number.isNaN(at) ? undefined : new Date(at).toISOString();
  } catch {
    return undefined;
  }
}

const TimeBound = (edge: 'from' | 'to', description: string, example: string) =>
  doc(
    z.string().check(
      z.refine((value) => timeBound(value, edge) !== undefined, {
        error: 'expected a date YYYY-MM-DD (a JST day) or an ISO-8601 date-time',
      }),
    ),
    { description, examples: [example] },
  );

// ----- requests ----------------------------------------------------------------------------

export const pipelineName = lazy(() =>
  doc(z.enum(LEDGER_PIPELINES, { error: `must be one of ${LEDGER_PIPELINES.join(', ')}` }), {
    description: 'A pipeline of the ledger.',
  }),
);
export const runStatus = lazy(() =>
  doc(z.enum(RUN_STATUSES, { error: `must be one of ${RUN_STATUSES.join(', ')}` }), {
    description: 'Where a run is or how it ended.',
  }),
);

/** `GET /runs` and `GET /runs/{pipeline}` query strings (the pipeline is in the second's path). */
export const listRunsQueries = lazy(() => {
  const listFilters = {
    status: z.optional(runStatus()),
    from: z.optional(
      TimeBound(
        'from',
        'Runs started at or after this. A date YYYY-MM-DD is a day in Japan (JST, UTC+9): from its ' +
          'first instant, 00:00 JST. A date-time with Z or an offset is that instant; without one it is JST.',
        '2026-12-01',
      ),
    ),
    to: z.optional(
      TimeBound(
        'to',
        'Runs started before this. A date YYYY-MM-DD is a day in Japan (JST, UTC+9) and is included ' +
          'whole (up to 24:00 JST). A date-time with Z or an offset is that instant; without one it is JST.',
        '2026-12-01T12:00:00+09:00',
      ),
    ),
    limit: z._default(
      doc(
        z.coerce
          .number({ error: `must be a whole number from 1 to ${MAX_LIMIT}` })
          .check(
            z.int({ error: `must be a whole number from 1 to ${MAX_LIMIT}` }),
            z.gte(1, { error: `must be a whole number from 1 to ${MAX_LIMIT}` }),
            z.lte(MAX_LIMIT, { error: `must be a whole number from 1 to ${MAX_LIMIT}` }),
          ),
        { description: `Runs per page, 1 to ${MAX_LIMIT}.` },
      ),
      DEFAULT_LIMIT,
    ),
    cursor: z.optional(
      doc(z.string().check(z.minLength(1), z.maxLength(4096)), {
        description:
          'Opaque: the `cursor` of the previous page, given with the same filters. Absent on the first page.',
      }),
    ),
  };

  const unknownParameter = (known: string[]) => (issue: { code?: string; keys?: string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown query parameter ${issue.keys?.map((k) => `"${k}"`).join(', ')} (known: ${known.join(', ')})`
      : undefined;

  const ListRunsQuery = z.strictObject(
    { pipeline: z.optional(pipelineName()), ...listFilters },
    { error: unknownParameter(['pipeline', ...Object.keys(listFilters)]) },
  );

  const ListPipelineRunsQuery = z.strictObject(listFilters, {
    error: unknownParameter(Object.keys(listFilters)),
  });
  return { ListRunsQuery, ListPipelineRunsQuery };
});

/** The `{runId}` path parameter, for the document: the route checks the length itself. */
export const runIdParameter = lazy(() =>
  doc(z.string().check(z.minLength(1), z.maxLength(MAX_RUN_ID)), {
    description:
      'The run id: a state machine execution name (csv-processor, salesforce-extract) or a Lambda request id ' +
      '(batch-scheduler, etl, etl-load).',
  }),
);

// ----- responses ---------------------------------------------------------------------------

/** Any JSON value (a manual trigger's Detail fields). */
export const jsonValue = lazy(() => z.json());

// Not narrowed to whole numbers: a response check that refused one odd stored count would
// turn a whole page of runs into a 500.
const count = () => z.number();

export const runSchema = lazy(() =>
  doc(
    z.object({
      pipeline: pipelineName(),
      runId: z.string(),
      trigger: doc(z.enum(TRIGGERS), {
        description:
          'schedule: a schedule started it; manual: a person (POST /runs/{pipeline}); event: data arriving.',
      }),
      status: runStatus(),
      startedAt: doc(z.string(), { description: 'ISO-8601 UTC with milliseconds.' }),
      endedAt: z.optional(doc(z.string(), { description: 'ISO-8601 UTC; absent while RUNNING.' })),
      durationMs: z.optional(doc(count(), { description: 'endedAt − startedAt; absent while RUNNING.' })),
      counts: z.optional(
        doc(
          z.object({
            in: z.optional(count()),
            applied: z.optional(count()),
            failed: z.optional(count()),
            apiCalls: z.optional(count()),
          }),
          {
            description:
              'Rows or records read (in), written (applied), refused (failed); API calls or quota used.',
          },
        ),
      ),
      error: z.optional(
        doc(z.object({ name: z.string(), message: z.string() }), {
          description: 'Why the run failed (the message is cut to 1,000 characters; secrets are never kept).',
        }),
      ),
      links: z.object({
        executionArn: z.optional(z.string()),
        logGroup: z.string(),
        requestId: z.optional(z.string()),
        s3Keys: z.optional(z.array(z.string())),
        console: z.optional(doc(z.string(), { description: 'The AWS console page of this run.' })),
        logsTail: doc(z.string(), { description: 'The command that follows the run’s logs.' }),
      }),
      updatedAt: z.string(),
    }),
    { description: 'One pipeline run, as the ledger keeps it.' },
  ),
);

export const runPageSchema = lazy(() =>
  doc(
    z.object({
      runs: z.array(runSchema()),
      cursor: z.optional(
        doc(z.string(), { description: 'Present when more runs match: pass it back with the same filters.' }),
      ),
      next: z.optional(doc(z.string(), { description: 'The next page, relative to the API’s stage URL.' })),
    }),
    { description: 'Runs, newest first (by startedAt).' },
  ),
);

export const triggerAcceptedSchema = lazy(() =>
  doc(
    z.object({
      pipeline: pipelineName(),
      eventId: doc(z.string(), { description: 'The EventBridge event id (PutEvents Entries[0].EventId).' }),
      source: doc(z.string(), {
        description: 'The event’s Source, which the pipeline’s manual-trigger rule matches.',
      }),
      detailType: z.literal('manual-trigger'),
      detail: doc(z.record(z.string(), jsonValue()), {
        description: 'The event’s Detail: {"environment": …} and the fields of the request body.',
      }),
      submittedAt: doc(z.string(), { description: 'When the API sent the event (ISO-8601 UTC).' }),
      poll: doc(z.string(), {
        description:
          'Where the run appears, relative to the stage URL: GET /runs/{pipeline}?from=<submittedAt − 5 s>. ' +
          'The run id is not known when the event is sent (a state machine names its execution, a function ' +
          'run is keyed by its request id), so poll for the earliest run with trigger "manual" listed there.',
      }),
    }),
    {
      description:
        'EventBridge accepted the manual-trigger event; the pipeline’s rule starts the run within seconds.',
    },
  ),
);

export const healthSchema = lazy(() =>
  doc(
    z.object({
      status: z.literal('ok'),
      service: z.literal('runs-api'),
      environment: z.string(),
      time: z.string(),
    }),
    { description: 'The API answers and is configured. The ledger is not read.' },
  ),
);

/** Every error body, for the document (the routes build theirs in api.ts). */
export const errorBody = lazy(() =>
  doc(
    z.object({
      error: doc(z.string(), {
        description:
          'BadRequest, Unauthorized, NotFound, MethodNotAllowed, TriggerNotAccepted (502) or InternalError.',
      }),
      message: doc(z.string(), { description: 'One line for a person; a 400 names the field first.' }),
      field: z.optional(
        doc(z.string(), { description: 'The query parameter, path segment or body field at fault (400).' }),
      ),
    }),
    { description: 'Every error.' },
  ),
);

export type RunBody = z.infer<ReturnType<typeof runSchema>>;
export type RunPageBody = z.infer<ReturnType<typeof runPageSchema>>;
export type TriggerAcceptedBody = z.infer<ReturnType<typeof triggerAcceptedSchema>>;
export type ErrorBodyShape = z.infer<ReturnType<typeof errorBody>>;
