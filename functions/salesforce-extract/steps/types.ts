import * as z from 'zod/mini';
import { ObjectConfigSchema } from '../config';

/**
 * The state that travels between the state machine's tasks for one object (the Map's
 * item). Every per-object step takes it as `task` and returns it updated, so the ASL only
 * routes on a few fields (`plan.mode`, `done`, `job.state`, `job.polls`). It holds no
 * secret and no token: only names, cursors, the multipart upload's ids and a sha-256 state.
 * Step Functions caps a state at 256 KB: the largest parts are the field list and the
 * upload's part list (one entry per ≥ 5 MiB part).
 */
export const ColumnKindSchema = z.enum([
  'string',
  'boolean',
  'number',
  'datetime',
  'date',
  'time',
  'unknown',
]);
export type ColumnKind = z.infer<typeof ColumnKindSchema>;

export const PlanSchema = z.object({
  mode: z.enum(['rest', 'bulk']),
  soql: z.string(),
  /** Whether deleted records are included (queryAll / Bulk operation queryAll). */
  all: z.boolean(),
  fields: z.array(z.string()),
  kinds: z.array(ColumnKindSchema),
  schemaHash: z.string(),
  /** Records the COUNT() saw (auto mode), null when the mode was configured. */
  counted: z.nullable(z.number()),
  window: z.object({ from: z.nullable(z.string()), to: z.nullable(z.string()) }),
  /** The watermark stored when the run planned: the conditional advance expects it unchanged. */
  storedWatermark: z.nullable(z.string()),
  /** The watermark a successful run stores (the window's upper bound), null when not incremental. */
  nextWatermark: z.nullable(z.string()),
  key: z.string(),
  manifestKey: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const UploadStateSchema = z.object({
  bucket: z.string(),
  key: z.string(),
  uploadId: z.string(),
  parts: z.array(z.object({ PartNumber: z.number(), ETag: z.string() })),
  /** Bytes written but not yet in a part, kept in S3 between invocations. */
  carryKey: z.optional(z.string()),
  carryBytes: z.number(),
  /** hash-wasm SHA-256 save() state (base64) covering every byte written so far. */
  hashState: z.string(),
  bytes: z.number(),
  records: z.number(),
});
export type UploadState = z.infer<typeof UploadStateSchema>;

export const StatsSchema = z.object({
  pages: z.number(),
  records: z.number(),
  /** Σ Sforce-NumberOfRecords over Bulk result pages. */
  pageRecords: z.number(),
  nulStripped: z.number(),
  apiCalls: z.number(),
  retries: z.number(),
  invocations: z.number(),
  /** API usage from the last Sforce-Limit-Info seen. */
  apiUsed: z.optional(z.number()),
  apiMax: z.optional(z.number()),
  stateChanges: z.array(z.string()),
});
export type Stats = z.infer<typeof StatsSchema>;

export const SettingsSchema = z.object({
  pollSeconds: z.number(),
  maxPolls: z.number(),
});

export const ObjectTaskSchema = z.object({
  object: z.string(),
  config: ObjectConfigSchema,
  run: z.object({ id: z.string(), startedAt: z.string(), full: z.boolean() }),
  settings: SettingsSchema,
  plan: z.optional(PlanSchema),
  job: z.optional(
    z.object({
      id: z.string(),
      state: z.string(),
      polls: z.number(),
      numberRecordsProcessed: z.optional(z.number()),
      errorMessage: z.optional(z.string()),
    }),
  ),
  /** REST: the next page to fetch; absent before the first page. */
  nextRecordsUrl: z.optional(z.string()),
  /** REST: totalSize of the first page (what the rows written must add up to). */
  totalSize: z.optional(z.number()),
  /** Bulk: the Sforce-Locator of the next results page; absent before the first page. */
  locator: z.optional(z.string()),
  /** Pages written so far (REST or Bulk). */
  page: z.number(),
  /** True when every page is in the upload: the ASL moves on to Commit. */
  done: z.boolean(),
  upload: z.optional(UploadStateSchema),
  stats: StatsSchema,
  /** Set by the ASL's Catch (ResultPath $.error) before Abort. */
  error: z.optional(z.object({ Error: z.string(), Cause: z.optional(z.string()) })),
});
export type ObjectTask = z.infer<typeof ObjectTaskSchema>;

/** A successful object, as the execution's output lists it. */
export interface ObjectSucceeded {
  object: string;
  status: 'SUCCEEDED';
  mode: 'rest' | 'bulk';
  records: number;
  key: string;
  bytes: number;
  manifestKey: string;
}

export interface ObjectFailed {
  object: string;
  status: 'FAILED';
  error: string;
  cause: string;
}

export type ObjectResult = ObjectSucceeded | ObjectFailed;

export const ObjectResultSchema = z.union([
  z.object({
    object: z.string(),
    status: z.literal('SUCCEEDED'),
    mode: z.enum(['rest', 'bulk']),
    records: z.number(),
    key: z.string(),
    bytes: z.number(),
    manifestKey: z.string(),
  }),
  z.object({ object: z.string(), status: z.literal('FAILED'), error: z.string(), cause: z.string() }),
]);

/** The state machine's input: the manual rule passes `$.detail`, the schedule `{"trigger":"schedule"}`. */
export const RunInputSchema = z.looseObject({
  objects: z.optional(z.array(z.string())),
  full: z.optional(z.boolean()),
  mode: z.optional(z.enum(['auto', 'rest', 'bulk'])),
  environment: z.optional(z.string()),
  trigger: z.optional(z.string()),
});
export type RunInput = z.infer<typeof RunInputSchema>;

export const PreflightEventSchema = z.object({
  step: z.literal('preflight'),
  input: z._default(z.nullable(RunInputSchema), {}),
  execution: z.object({ name: z.string(), startTime: z.optional(z.string()) }),
  settings: SettingsSchema,
});

export interface PreflightResult {
  runId: string;
  startedAt: string;
  full: boolean;
  objects: ObjectTask[];
  api: { remaining: number; max: number; bulkJobsRemaining?: number };
}

export const TaskEventSchema = z.object({
  step: z.enum(['plan', 'rest', 'createJob', 'pollJob', 'download', 'commit', 'abort']),
  task: ObjectTaskSchema,
});

export const SummarizeEventSchema = z.object({
  step: z.literal('summarize'),
  results: z.array(ObjectResultSchema),
});

export interface RunSummary {
  status: 'SUCCEEDED' | 'FAILED';
  objects: Record<string, Omit<ObjectSucceeded, 'object' | 'status'>>;
  /** FAILED only: the Fail state's Cause, listing each failed object and its error. */
  cause?: string;
  failed?: ObjectFailed[];
}

export const StepEventSchema = z.union([PreflightEventSchema, TaskEventSchema, SummarizeEventSchema]);
export type StepEvent = z.infer<typeof StepEventSchema>;
