import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { StateMachine } from 'aws-local-stepfunctions';
import { readObjectStream } from '../../../functions/shared/s3';
import { CsvScanner } from '../../../functions/csv-validator/csv-scanner';
import { reportExecution } from '../pipelines/runs-ledger';

export { renderTemplate } from './asl';

/**
 * Runs a deployed ASL definition on aws-local-stepfunctions, adding what that
 * library does not implement, driven by the definition's own fields:
 *
 * - `arn:aws:states:::lambda:invoke` tasks call local handlers by FunctionName and
 *   return `{ Payload }`; a thrown error surfaces as its `name`, with a Lambda-style
 *   JSON Cause, so Retry/Catch match as they do in AWS;
 * - a distributed Map (one with ItemReader) becomes a task that reads the CSV or JSON
 *   items from S3, applies ItemSelector, ItemBatcher (MaxItemsPerBatch[Path], BatchInput),
 *   MaxConcurrency[Path] and ToleratedFailurePercentage/Count[Path], runs ItemProcessor with the
 *   same library, and writes ResultWriter's manifest and result files.
 *
 * JSONPath and intrinsic functions are always evaluated by the library itself (a
 * one-state Pass machine), so paths behave the same as in the rest of the definition.
 */
export type LocalLambda = (payload: unknown) => Promise<unknown>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASL states are open-ended JSON; each field is checked where it is read
type StateDef = Record<string, any>;
type Definition = { StartAt: string; States: Record<string, StateDef>; [k: string]: unknown };

export interface LocalExecutionOptions {
  definition: Definition;
  lambdas: Record<string, LocalLambda>;
  s3: S3Client;
  stateMachineArn: string;
  executionName: string;
  /** Milliseconds to wait between retries instead of IntervalSeconds × BackoffRate^n (tests). */
  retryIntervalMs?: number;
  /**
   * Milliseconds every Wait state pauses instead of its Seconds/Timestamp, or per state
   * name: a polling loop that waits minutes in AWS runs in moments locally.
   */
  waitTimeMs?: number | Record<string, number>;
}

export type LocalExecutionResult =
  | { status: 'SUCCEEDED'; output: unknown; executionArn: string }
  | { status: 'FAILED'; error: string; cause: string; executionArn: string };

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const LOCAL_DISTRIBUTED_MAP = 'arn:aws:states:::local:distributedMap';
const NO_VALIDATION = { validationOptions: { noValidate: true } } as const;
/** The longest timer Node keeps (2^31 − 1 ms): a longer one would fire at once. */
const NO_TASK_TIMEOUT_S = Math.floor(2_147_483_647 / 1000);
const MAP_ONLY_FIELDS = [
  'ItemReader',
  'ItemSelector',
  'ItemBatcher',
  'ItemProcessor',
  'ResultWriter',
  'MaxConcurrency',
  'MaxConcurrencyPath',
  'ToleratedFailurePercentage',
  'ToleratedFailurePercentagePath',
  'ToleratedFailureCount',
  'ToleratedFailureCountPath',
  'Label',
];

export async function runLocalExecution(
  options: LocalExecutionOptions,
  input: Json,
): Promise<LocalExecutionResult> {
  const executionArn = `${options.stateMachineArn.replace(':stateMachine:', ':execution:')}:${options.executionName}`;
  const context = {
    Execution: {
      Id: executionArn,
      Name: options.executionName,
      StartTime: new Date().toISOString(),
      Input: input,
    },
    StateMachine: { Id: options.stateMachineArn },
  };
  const handlers: Record<string, (input: Json) => Promise<Json>> = {};
  const retryStates: string[] = [];
  const waitStates: string[] = [];
  const definition = adapt(options.definition, handlers, { retryStates, waitStates }, options, executionArn);
  const waitTimeMs = options.waitTimeMs;
  const overrides = {
    taskResourceLocalHandlers: handlers,
    ...(options.retryIntervalMs === undefined
      ? {}
      : {
          retryIntervalOverrides: Object.fromEntries(retryStates.map((s) => [s, options.retryIntervalMs!])),
        }),
    ...(waitTimeMs === undefined
      ? {}
      : {
          waitTimeOverrides:
            typeof waitTimeMs === 'number'
              ? Object.fromEntries(waitStates.map((s) => [s, waitTimeMs]))
              : waitTimeMs,
        }),
  };
  runtime.set(executionArn, { overrides, context });
  // The run ledger hears of it as from EventBridge's status-change events (no-op without RUNS_TABLE).
  const startDate = Date.parse(context.Execution.StartTime);
  await reportExecution(options, input, startDate);
  let result: LocalExecutionResult;
  try {
    const output = await new StateMachine(definition as never, NO_VALIDATION).run(input, {
      overrides,
      context,
    }).result;
    result = { status: 'SUCCEEDED', output, executionArn };
  } catch (error) {
    const cause = (error as { cause?: Error }).cause ?? (error as Error);
    result = { status: 'FAILED', error: cause.name, cause: cause.message, executionArn };
  }
  try {
    await reportExecution(options, input, startDate, result);
    return result;
  } finally {
    runtime.delete(executionArn);
  }
}

/** Per-execution run options the distributed-map handler needs for its children. */
const runtime = new Map<string, { overrides: Record<string, unknown>; context: Record<string, unknown> }>();

/** State names the library's per-state overrides apply to, collected through nested definitions. */
interface OverridableStates {
  retryStates: string[];
  waitStates: string[];
}

function adapt(
  definition: Definition,
  handlers: Record<string, (input: Json) => Promise<Json>>,
  overridable: OverridableStates,
  options: LocalExecutionOptions,
  executionArn: string,
): Definition {
  const states: Record<string, StateDef> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Retry) overridable.retryStates.push(name);
    if (state.Type === 'Wait') overridable.waitStates.push(name);
    if (state.Type === 'Task' && state.Resource === LAMBDA_INVOKE) {
      handlers[name] = (input) => invokeLambda(options.lambdas, input);
      // AWS gives a Task without TimeoutSeconds no limit of its own (the Lambda's timeout applies);
      // the library would fail it after 60 s, e.g. a download that runs to its time budget.
      states[name] =
        state.TimeoutSeconds || state.TimeoutSecondsPath
          ? state
          : { ...state, TimeoutSeconds: NO_TASK_TIMEOUT_S };
    } else if (state.Type === 'Map' && state.ItemReader) {
      const processor = adapt(state.ItemProcessor, handlers, overridable, options, executionArn);
      handlers[name] = (input) => runDistributedMap(name, state, processor, input, options, executionArn);
      // The same transitions and error handling, with the map's work done by the handler.
      const task: StateDef = { ...state, Type: 'Task', Resource: LOCAL_DISTRIBUTED_MAP };
      for (const field of MAP_ONLY_FIELDS) delete task[field];
      states[name] = task;
    } else if (state.Type === 'Map' || state.Type === 'Parallel') {
      const nested = state.Type === 'Map' ? ['ItemProcessor', 'Iterator'] : [];
      const copy = { ...state };
      for (const key of nested)
        if (copy[key]) copy[key] = adapt(copy[key], handlers, overridable, options, executionArn);
      if (state.Branches)
        copy.Branches = state.Branches.map((b: Definition) =>
          adapt(b, handlers, overridable, options, executionArn),
        );
      states[name] = copy;
    } else {
      states[name] = state;
    }
  }
  return { ...definition, States: states };
}

async function invokeLambda(lambdas: Record<string, LocalLambda>, input: Json): Promise<Json> {
  const { FunctionName, Payload } = input as { FunctionName: string; Payload: Json };
  const fn = lambdas[FunctionName];
  if (!fn)
    throw Object.assign(new Error(`No local handler for ${FunctionName}`), {
      name: 'Lambda.ResourceNotFoundException',
    });
  try {
    // A JSON round trip, as the Lambda service does: no shared object references.
    const result = await fn(JSON.parse(JSON.stringify(Payload ?? null)));
    return { StatusCode: 200, Payload: JSON.parse(JSON.stringify(result ?? null)) as Json };
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    const failure = new Error(JSON.stringify({ errorType: e.name, errorMessage: e.message }));
    failure.name = e.name;
    throw failure;
  }
}

/** Evaluates a payload template (fields ending in `.$`) with the library's JSONPath. */
async function evaluate(
  template: Json | undefined,
  input: Json,
  context: Record<string, unknown>,
): Promise<Json> {
  if (template === undefined) return input;
  const machine = new StateMachine(
    { StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', Parameters: template, End: true } } } as never,
    NO_VALIDATION,
  );
  return machine.run(input, { context }).result as Promise<Json>;
}

async function runDistributedMap(
  stateName: string,
  state: StateDef,
  processor: Definition,
  input: Json,
  options: LocalExecutionOptions,
  executionArn: string,
): Promise<Json> {
  const run = runtime.get(executionArn);
  if (!run) throw new Error(`Execution ${executionArn} is not running`);
  const items = await readItems(state.ItemReader, input, run.context, options.s3);

  const selected: Json[] = [];
  for (let index = 0; index < items.length; index++) {
    const context = { ...run.context, Map: { Item: { Index: index, Value: items[index] } } };
    selected.push(state.ItemSelector ? await evaluate(state.ItemSelector, input, context) : items[index]!);
  }

  const batcher = state.ItemBatcher as StateDef | undefined;
  let childInputs: Json[];
  if (batcher) {
    const maxItems = (
      batcher.MaxItemsPerBatchPath
        ? await pathValue(batcher.MaxItemsPerBatchPath, input, run.context)
        : batcher.MaxItemsPerBatch
    ) as number | undefined;
    const maxBytes = (batcher.MaxInputBytesPerBatch as number | undefined) ?? 256 * 1024;
    const batchInput = batcher.BatchInput
      ? await evaluate(batcher.BatchInput, input, run.context)
      : undefined;
    childInputs = [];
    let current: Json[] = [];
    let bytes = 0;
    for (const item of selected) {
      const size = Buffer.byteLength(JSON.stringify(item));
      if (current.length > 0 && ((maxItems && current.length >= maxItems) || bytes + size > maxBytes)) {
        childInputs.push(batchOf(current, batchInput));
        current = [];
        bytes = 0;
      }
      current.push(item);
      bytes += size;
    }
    if (current.length > 0) childInputs.push(batchOf(current, batchInput));
  } else {
    childInputs = selected;
  }

  const mapRunId = randomUUID();
  const label = (state.Label as string | undefined) ?? stateName;
  const mapRunArn = `${options.stateMachineArn.replace(':stateMachine:', ':mapRun:')}/${label}:${mapRunId}`;
  const numberField = async (name: string): Promise<number | undefined> =>
    (state[`${name}Path`] ? await pathValue(state[`${name}Path`], input, run.context) : state[name]) as
      number | undefined;
  const tolerance = {
    percentage: (await numberField('ToleratedFailurePercentage')) ?? 0,
    count: await numberField('ToleratedFailureCount'),
  };
  const exceeded = (failed: number) =>
    childInputs.length > 0 &&
    (failed * 100 > tolerance.percentage * childInputs.length ||
      (tolerance.count !== undefined && failed > tolerance.count));

  type ChildResult = {
    Name: string;
    Status: string;
    Input: string;
    Output?: string;
    Error?: string;
    Cause?: string;
  };
  const results: ChildResult[] = new Array(childInputs.length);
  const machine = new StateMachine(stripProcessorConfig(processor) as never, NO_VALIDATION);
  let failed = 0;
  let next = 0;
  let stop = false;
  const worker = async () => {
    while (!stop && next < childInputs.length) {
      const i = next++;
      const childInput = childInputs[i]!;
      const name = `${mapRunId.slice(0, 8)}-${i}`;
      try {
        const output = await machine.run(childInput, {
          overrides: run.overrides,
          context: { ...run.context, Execution: { ...(run.context.Execution as object), Name: name } },
        }).result;
        results[i] = {
          Name: name,
          Status: 'SUCCEEDED',
          Input: JSON.stringify(childInput),
          Output: JSON.stringify(output),
        };
      } catch (error) {
        const cause = (error as { cause?: Error }).cause ?? (error as Error);
        results[i] = {
          Name: name,
          Status: 'FAILED',
          Input: JSON.stringify(childInput),
          Error: cause.name,
          Cause: cause.message,
        };
        failed++;
        if (exceeded(failed)) stop = true;
      }
    }
  };
  const concurrency = Math.max(1, (await numberField('MaxConcurrency')) || 1000);
  await Promise.all(Array.from({ length: Math.min(concurrency, Math.max(1, childInputs.length)) }, worker));
  for (let i = 0; i < childInputs.length; i++) {
    results[i] ??= {
      Name: `${mapRunId.slice(0, 8)}-${i}`,
      Status: 'PENDING',
      Input: JSON.stringify(childInputs[i]),
    };
  }

  let output: Json;
  if (state.ResultWriter) {
    const target = (await evaluate(state.ResultWriter.Parameters, input, run.context)) as {
      Bucket: string;
      Prefix?: string;
    };
    const base = `${(target.Prefix ?? '').replace(/\/?$/, '/')}${mapRunId}/`.replace(/^\//, '');
    const files: Record<string, Array<{ Key: string; Size: number }>> = {
      FAILED: [],
      PENDING: [],
      SUCCEEDED: [],
    };
    for (const status of Object.keys(files)) {
      const entries = results.filter((r) => r.Status === status);
      if (entries.length === 0) continue;
      const key = `${base}${status}_0.json`;
      const body = JSON.stringify(
        entries.map((r) => ({ ...r, ExecutionArn: `${executionArn}/${r.Name}`, MapRunArn: mapRunArn })),
      );
      await options.s3.send(
        new PutObjectCommand({
          Bucket: target.Bucket,
          Key: key,
          Body: body,
          ContentType: 'application/json',
        }),
      );
      files[status]!.push({ Key: key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${base}manifest.json`;
    await options.s3.send(
      new PutObjectCommand({
        Bucket: target.Bucket,
        Key: manifestKey,
        Body: JSON.stringify({ DestinationBucket: target.Bucket, MapRunArn: mapRunArn, ResultFiles: files }),
        ContentType: 'application/json',
      }),
    );
    output = { MapRunArn: mapRunArn, ResultWriterDetails: { Bucket: target.Bucket, Key: manifestKey } };
  } else {
    output = results.map((r) => (r.Output ? (JSON.parse(r.Output) as Json) : null));
  }

  if (exceeded(failed)) {
    const error = new Error(
      `The tolerated failure threshold was exceeded: ${failed} of ${childInputs.length} child workflows failed`,
    );
    error.name = 'States.ExceedToleratedFailureThreshold';
    throw error;
  }
  return output;
}

function batchOf(items: Json[], batchInput: Json | undefined): Json {
  return batchInput === undefined ? { Items: items } : { BatchInput: batchInput, Items: items };
}

function stripProcessorConfig(processor: Definition): Definition {
  const copy: Record<string, unknown> = { ...processor };
  delete copy.ProcessorConfig;
  return copy as Definition;
}

async function pathValue(path: string, input: Json, context: Record<string, unknown>): Promise<Json> {
  return ((await evaluate({ 'value.$': path }, input, context)) as { value: Json }).value;
}

/** ItemReader for s3:getObject with ReaderConfig InputType CSV (header FIRST_ROW or given) or JSON. */
async function readItems(
  reader: StateDef,
  input: Json,
  context: Record<string, unknown>,
  s3: S3Client,
): Promise<Json[]> {
  if (reader.Resource !== 'arn:aws:states:::s3:getObject') {
    throw new Error(`Local ItemReader supports arn:aws:states:::s3:getObject only, not ${reader.Resource}`);
  }
  const { Bucket, Key } = (await evaluate(reader.Parameters, input, context)) as {
    Bucket: string;
    Key: string;
  };
  const config = (reader.ReaderConfig ?? {}) as {
    InputType?: string;
    CSVHeaderLocation?: string;
    CSVHeaders?: string[];
    MaxItems?: number;
  };
  const { body } = await readObjectStream(Bucket, Key, { s3 });
  const decoder = new TextDecoder('utf-8');
  if (config.InputType === 'JSON' || config.InputType === undefined) {
    let text = '';
    for await (const chunk of body as AsyncIterable<Uint8Array>)
      text += decoder.decode(chunk, { stream: true });
    const items = JSON.parse(text + decoder.decode()) as Json[];
    return config.MaxItems ? items.slice(0, config.MaxItems) : items;
  }
  if (config.InputType !== 'CSV')
    throw new Error(`Local ItemReader does not support InputType ${config.InputType}`);
  let header: string[] | null = config.CSVHeaderLocation === 'GIVEN' ? (config.CSVHeaders ?? []) : null;
  const items: Json[] = [];
  const scanner = new CsvScanner((record) => {
    if (!header) {
      header = record.fields;
      return;
    }
    const item: Record<string, Json> = {};
    header.forEach((name, i) => (item[name] = record.fields[i] ?? ''));
    items.push(item);
  });
  for await (const chunk of body as AsyncIterable<Uint8Array>)
    scanner.push(decoder.decode(chunk, { stream: true }));
  scanner.push(decoder.decode());
  scanner.end();
  return config.MaxItems ? items.slice(0, config.MaxItems) : items;
}
