import { putJson } from '../../shared/s3';
import { abortQueryJob } from '../api';
import type { Manifest } from '../manifest';
import { abortUpload, carryPrefix, completedUpload, ResumableUpload } from '../upload';
import { advanceWatermark } from '../watermarks';
import { requirePlan, type StepDeps } from './deps';
import type { ObjectFailed, ObjectResult, ObjectSucceeded, ObjectTask, RunSummary } from './types';

/**
 * The one structured line per object (success or failure): job id, state changes, pages,
 * rows, bytes, retries, API calls and the S3 key.
 */
export function objectSummary(
  task: ObjectTask,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    object: task.object,
    runId: task.run.id,
    mode: task.plan?.mode,
    jobId: task.job?.id ?? null,
    stateChanges: task.stats.stateChanges,
    pages: task.stats.pages,
    rows: task.stats.records,
    bytes: task.upload?.bytes ?? 0,
    nulStripped: task.stats.nulStripped,
    retries: task.stats.retries,
    apiCalls: task.stats.apiCalls,
    apiUsage: task.stats.apiUsed === undefined ? null : `${task.stats.apiUsed}/${task.stats.apiMax}`,
    invocations: task.stats.invocations,
    key: task.plan?.key ?? null,
    watermark: task.plan ? { old: task.plan.storedWatermark, new: task.plan.nextWatermark } : null,
    ...extra,
  };
}

/**
 * Completes the upload (the file appears), writes the manifest beside it, then advances
 * the watermark conditionally: in this order, so a watermark never runs ahead of a
 * committed file and manifest.
 */
export async function commit(deps: StepDeps, task: ObjectTask): Promise<ObjectSucceeded> {
  const plan = requirePlan(task);
  if (!task.upload || !task.done) throw new Error(`${task.object}: commit before every page was written`);
  task.stats.invocations++;
  const records = task.upload.records;
  // A retried commit whose first attempt completed the upload finds the file in place.
  const done =
    (await completedUpload(deps.s3, task.upload, task.run.id)) ??
    (await (
      await ResumableUpload.open(deps.s3, task.upload, carryPrefix(task.run.id, task.object), {
        partSize: deps.config.UPLOAD_PART_BYTES,
      })
    ).complete());
  const finishedAt = deps.now().toISOString();
  const manifest: Manifest = {
    object: task.object,
    mode: plan.mode,
    jobId: task.job?.id ?? null,
    key: plan.key,
    records,
    bytes: done.bytes,
    sha256: done.sha256,
    apiCalls: task.stats.apiCalls,
    watermark: { old: plan.storedWatermark, new: plan.nextWatermark ?? plan.storedWatermark },
    window: plan.window,
    schemaHash: plan.schemaHash,
    fields: plan.fields,
    nulStripped: task.stats.nulStripped,
    soql: plan.soql,
    runId: task.run.id,
    startedAt: task.run.startedAt,
    finishedAt,
  };
  await putJson(deps.config.RAW_BUCKET, plan.manifestKey, manifest, deps.s3);
  await advanceWatermark(deps.ddb, deps.config.WATERMARK_TABLE, {
    object: task.object,
    expected: plan.storedWatermark,
    watermark: plan.nextWatermark,
    schemaHash: plan.schemaHash,
    fields: plan.fields,
    lastKey: plan.key,
    runId: task.run.id,
    updatedAt: finishedAt,
  });
  deps.log(
    'object extracted',
    objectSummary(task, { status: 'SUCCEEDED', bytes: done.bytes, sha256: done.sha256 }),
  );
  return {
    object: task.object,
    status: 'SUCCEEDED',
    mode: plan.mode,
    records,
    key: plan.key,
    bytes: done.bytes,
    manifestKey: plan.manifestKey,
  };
}

/**
 * After any failure of the object: abort the multipart upload (no object appears), delete
 * the carries, abort the Bulk job when it may still run. The watermark is not touched.
 * Each cleanup is attempted even when another fails; the object's own error is reported.
 */
export async function abort(deps: StepDeps, task: ObjectTask): Promise<ObjectFailed> {
  const error = task.error?.Error ?? 'UnknownError';
  const cause = describeCause(task.error?.Cause);
  const problems: string[] = [];
  if (task.upload) {
    await abortUpload(deps.s3, task.upload, carryPrefix(task.run.id, task.object)).catch((e: Error) =>
      problems.push(`upload: ${e.name}: ${e.message}`),
    );
  }
  if (task.job && (task.job.state === 'UploadComplete' || task.job.state === 'InProgress')) {
    const client = await deps.salesforce().catch((e: Error) => {
      problems.push(`job: ${e.name}: ${e.message}`);
      return undefined;
    });
    if (client) {
      await abortQueryJob(client, task.job.id)
        .then(() => task.stats.stateChanges.push(`${task.job!.state}→Aborted`))
        .catch((e: Error) => problems.push(`job: ${e.name}: ${e.message}`));
      task.stats.apiCalls += client.usage.calls;
    }
  }
  deps.log(
    'object failed',
    objectSummary(task, {
      status: 'FAILED',
      error,
      cause,
      ...(problems.length ? { cleanupProblems: problems } : {}),
    }),
  );
  if (problems.length) {
    // Cleanup that failed is retried by the ASL; the bucket's lifecycle rule is the backstop.
    throw new Error(`${task.object}: cleanup after ${error} failed (${problems.join('; ')})`);
  }
  return { object: task.object, status: 'FAILED', error, cause };
}

/** Lambda errors arrive as a JSON Cause ({errorType, errorMessage, trace}): keep the message only. */
export function describeCause(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // not JSON: a Pass state's own text
  }
  return cause;
}

/** The execution's output keyed by object, or the Fail state's Cause when any object failed. */
export function summarize(results: readonly ObjectResult[]): RunSummary {
  const objects: RunSummary['objects'] = {};
  const failed: ObjectFailed[] = [];
  for (const r of results) {
    if (r.status === 'SUCCEEDED') {
      objects[r.object] = {
        mode: r.mode,
        records: r.records,
        key: r.key,
        bytes: r.bytes,
        manifestKey: r.manifestKey,
      };
    } else failed.push(r);
  }
  if (failed.length === 0) return { status: 'SUCCEEDED', objects };
  const cause = `${failed.length} of ${results.length} object(s) failed: ${failed
    .map((f) => `${f.object}: ${f.error}${f.cause ? ` (${f.cause})` : ''}`)
    .join('; ')}`;
  return { status: 'FAILED', objects, failed, cause };
}
