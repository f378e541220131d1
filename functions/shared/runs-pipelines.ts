import * as z from 'zod/mini';
import { OBJECT_NAME } from '../salesforce-extract/names';
import { targetDates } from '../etl-extract-transform/dates';

/**
 * The pipelines the run ledger (`pipeline-runs-<env>`) knows, in one table: what AWS
 * resource each one is (a state machine or a function, named `<resource>-<env>`), where its
 * logs are, which console page shows a run, and how a person starts one by hand (the
 * EventBridge Source of its manual-trigger rule and the zod schema of what the Detail may
 * carry besides `environment`). The recorder, the runs API, the stream processor and the
 * report all read this table, so a new pipeline is added here once.
 */
export const LEDGER_PIPELINES = [
  'csv-processor',
  'batch-scheduler',
  'etl',
  'etl-load',
  'salesforce-extract',
] as const;
export type LedgerPipeline = (typeof LEDGER_PIPELINES)[number];

export type ConsoleKind = 'execution' | 'log-group';

export interface PipelineSpec {
  name: LedgerPipeline;
  kind: 'state-machine' | 'function';
  /** The deployed state machine or function without its `-<env>` suffix. */
  resource: string;
  /** Functions whose logs belong to a run besides the resource's own (a state machine's tasks). */
  taskFunctions: readonly string[];
  /** Which console page `consoleUrl` opens for a run. */
  console: ConsoleKind;
  /** EventBridge Source of the manual-trigger rule; absent when only an event starts a run. */
  manualSource?: string;
  /**
   * What a manual trigger's Detail may carry besides `environment` (strict: an unknown
   * field is refused). Absent with manualSource.
   */
  manualDetail?: z.ZodMiniType<Record<string, unknown>>;
  summary: string;
}

/** A value built on first use, then kept. */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= build());
}

// Built on first use: only a manual trigger (POST /runs/{pipeline}, `npm run runs -- trigger`)
// reads them, so listing runs (most of runs-api's requests) never pays for building them.
const batchSchedulerDetail = lazy(() => {
  const ChannelId = z.string().check(z.regex(/^UC[A-Za-z0-9_-]{22}$/, 'expected a YouTube channel id (UC…)'));
  return z.strictObject({
    channelIds: z.optional(z.array(ChannelId).check(z.minLength(1), z.maxLength(50))),
  });
});

const etlDetail = lazy(() =>
  z
    .strictObject({
      date: z.optional(z.string()),
      from: z.optional(z.string()),
      to: z.optional(z.string()),
    })
    .check(
      // The same rules etl-extract-transform applies, so a trigger it would refuse is refused here.
      z.superRefine((detail, ctx) => {
        try {
          targetDates(detail);
        } catch (error) {
          const field = (error as { details?: { field?: string } }).details?.field ?? 'date';
          ctx.addIssue({ code: 'custom', message: (error as Error).message, path: [field], input: detail });
        }
      }),
    ),
);

const salesforceExtractDetail = lazy(() =>
  z.strictObject({
    objects: z.optional(
      z
        .array(z.string().check(z.regex(OBJECT_NAME, 'expected a Salesforce object API name')))
        .check(z.minLength(1), z.maxLength(100)),
    ),
    full: z.optional(z.boolean()),
    mode: z.optional(z.enum(['auto', 'rest', 'bulk'])),
  }),
);

export const PIPELINES: Record<LedgerPipeline, PipelineSpec> = {
  'csv-processor': {
    name: 'csv-processor',
    kind: 'state-machine',
    resource: 'csv-user-log-processor',
    taskFunctions: ['csv-validator', 'csv-processor'],
    console: 'execution',
    summary: 'a user-log CSV uploaded to the input bucket → PostgreSQL',
  },
  'batch-scheduler': {
    name: 'batch-scheduler',
    kind: 'function',
    resource: 'sync-batch',
    taskFunctions: [],
    console: 'log-group',
    manualSource: 'batch-scheduler',
    get manualDetail() {
      return batchSchedulerDetail();
    },
    summary: 'YouTube channels and videos → PostgreSQL',
  },
  etl: {
    name: 'etl',
    kind: 'function',
    resource: 'etl-extract-transform',
    taskFunctions: [],
    console: 'log-group',
    manualSource: 'etl',
    get manualDetail() {
      return etlDetail();
    },
    summary: 'orders → daily datasets in S3 (then etl-load)',
  },
  'etl-load': {
    name: 'etl-load',
    kind: 'function',
    resource: 'etl-load',
    taskFunctions: [],
    console: 'log-group',
    summary: 'a day’s datasets (on their manifest) → the analytics database',
  },
  'salesforce-extract': {
    name: 'salesforce-extract',
    kind: 'state-machine',
    resource: 'salesforce-extract',
    taskFunctions: ['salesforce-extract'],
    console: 'execution',
    manualSource: 'salesforce-extract',
    get manualDetail() {
      return salesforceExtractDetail();
    },
    summary: 'Salesforce objects → CSV files in S3',
  },
};

export function isLedgerPipeline(name: string): name is LedgerPipeline {
  return (LEDGER_PIPELINES as readonly string[]).includes(name);
}

/** `name` without its environment suffix, or undefined when it does not end in `-<environment>`. */
function withoutEnvironment(name: string, environment: string): string | undefined {
  const suffix = `-${environment}`;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : undefined;
}

/** The ledger pipeline of a deployed state machine (`<resource>-<env>`), if it is one. */
export function pipelineOfStateMachine(name: string, environment: string): PipelineSpec | undefined {
  const resource = withoutEnvironment(name, environment);
  return Object.values(PIPELINES).find((p) => p.kind === 'state-machine' && p.resource === resource);
}

/** The ledger pipeline of a deployed function (`<resource>-<env>`), if it is one. */
export function pipelineOfFunction(name: string, environment: string): PipelineSpec | undefined {
  const resource = withoutEnvironment(name, environment);
  return Object.values(PIPELINES).find((p) => p.kind === 'function' && p.resource === resource);
}

/** The pipeline whose manual-trigger rule matches EventBridge Source `source`. */
export function pipelineOfManualSource(source: string): PipelineSpec | undefined {
  return Object.values(PIPELINES).find((p) => p.manualSource === source);
}

/** The log group a run writes to first: the state machine's, or the function's. */
export function primaryLogGroup(pipeline: LedgerPipeline, environment: string): string {
  const spec = PIPELINES[pipeline];
  return spec.kind === 'state-machine'
    ? `/aws/vendedlogs/states/${spec.resource}-${environment}`
    : `/aws/lambda/${spec.resource}-${environment}`;
}

/** Every log group a run of `pipeline` writes to, the primary one first. */
export function logGroups(pipeline: LedgerPipeline, environment: string): string[] {
  return [
    primaryLogGroup(pipeline, environment),
    ...PIPELINES[pipeline].taskFunctions.map((fn) => `/aws/lambda/${fn}-${environment}`),
  ];
}

/**
 * The console page that shows one run: the execution's page for a state machine; for a
 * function, its log group filtered to the invocation's request id (when known).
 */
export function consoleUrl(
  pipeline: LedgerPipeline,
  links: { executionArn?: string; logGroup?: string; requestId?: string },
  region: string,
): string | undefined {
  const base = `https://${region}.console.aws.amazon.com`;
  if (PIPELINES[pipeline].console === 'execution') {
    return links.executionArn
      ? `${base}/states/home?region=${region}#/v2/executions/details/${links.executionArn}`
      : undefined;
  }
  if (!links.logGroup) return undefined;
  // The CloudWatch console escapes its fragment twice: `/` → %2F → $252F.
  const twice = (value: string) => encodeURIComponent(encodeURIComponent(value)).replace(/%/g, '$');
  const filter = links.requestId ? `/log-events$3FfilterPattern$3D${twice(`"${links.requestId}"`)}` : '';
  return `${base}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${twice(links.logGroup)}${filter}`;
}

/** The command that follows a run's logs, for a notice or the CLI. */
export function logsTailCommand(logGroup: string): string {
  return `aws logs tail ${logGroup} --follow`;
}

/**
 * How a run was started, from what its function or state machine received:
 * - `schedule`: an EventBridge rule's Scheduled Event, or a Scheduler input marked as one
 *   (etl's `{"source":"schedule"}`, salesforce-extract's `{"trigger":"schedule"}`);
 * - `manual`: a `manual-trigger` event, or a payload without an EventBridge envelope (a person
 *   invoking the function or starting the execution by hand, or the manual rule's InputPath
 *   `$.detail`), or a csv-processor re-run (`"reprocess": true`);
 * - `event`: any other EventBridge event (an S3 Object Created).
 */
export function triggerOf(payload: unknown): 'schedule' | 'manual' | 'event' {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'manual';
  const event = payload as Record<string, unknown>;
  if (
    event['detail-type'] === 'Scheduled Event' ||
    event.source === 'aws.scheduler' ||
    event.source === 'schedule' ||
    event.trigger === 'schedule'
  )
    return 'schedule';
  if (event['detail-type'] === 'manual-trigger' || event.trigger === 'manual' || event.reprocess === true)
    return 'manual';
  if (typeof event['detail-type'] === 'string' || Array.isArray(event.Records)) return 'event';
  return 'manual';
}
