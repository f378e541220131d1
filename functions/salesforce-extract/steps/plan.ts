import { jstPartitionPath, jstStamp } from '../../shared/jst';
import { countRecords, describeObject, restQueryFits } from '../api';
import { OutputExistsError, SalesforceApiError } from '../errors';
import { manifestKeyFor } from '../manifest';
import {
  FieldConfigError,
  buildFieldList,
  buildSoql,
  incrementalWindow,
  resolveParentKinds,
  schemaChange,
  schemaHash,
  whereClause,
} from '../select';
import { createUpload, runOfExistingObject } from '../upload';
import { readWatermark } from '../watermarks';
import { withClient, type StepDeps } from './deps';
import type { ObjectTask } from './types';

/** `raw/<Object>/year=YYYY/month=MM/day=DD/<Object>_YYYYMMDD_HHMM.csv`, the run's start in JST. */
export function objectKey(object: string, runStartedAt: Date): string {
  return `raw/${object}/${jstPartitionPath(runStartedAt)}/${object}_${jstStamp(runStartedAt)}.csv`;
}

/**
 * Describe → field list and SELECT; the stored watermark → window; COUNT() with the same
 * WHERE → mode (auto); then the multipart upload is started, so that from here on every
 * failure has an upload id to abort.
 */
export async function plan(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const { config } = task;
  return withClient(deps, task, async (client) => {
    const describe = await describeObject(client, config.name);
    // Describe's casing is the object's API name: the file and key use it.
    const object = describe.name || config.name;
    const list = buildFieldList(describe, config);
    const { fields } = list;
    // A parent the user cannot describe (404 NOT_FOUND / 403) leaves its columns' type unknown;
    // anything else (session, transient) fails the plan like any other call would.
    const kinds = await resolveParentKinds(describe, list, (parent) =>
      describeObject(client, parent).catch((error: unknown) => {
        if (
          error instanceof SalesforceApiError &&
          (error.details.status === 404 || error.details.status === 403)
        )
          return undefined;
        throw error;
      }),
    );
    const hash = schemaHash(fields);
    const stored = await readWatermark(deps.ddb, deps.config.WATERMARK_TABLE, object);
    const change = schemaChange(stored, fields);
    if (change) deps.log('schema changed', { object, ...change });

    const runStartedAt = new Date(task.run.startedAt);
    const window = incrementalWindow({
      incremental: config.incremental,
      full: task.run.full,
      watermark: stored?.watermark ?? null,
      runStartedAt,
      lookbackSeconds: deps.config.LOOKBACK_SECONDS,
    });
    const where = whereClause(config, window);
    const all = config.includeDeleted;
    let mode: 'rest' | 'bulk';
    let counted: number | null = null;
    if (config.mode === 'auto') {
      counted = await countRecords(client, object, where, { all });
      mode = counted < deps.config.REST_THRESHOLD ? 'rest' : 'bulk';
    } else mode = config.mode;
    const soql = buildSoql(object, fields, where);
    if (mode === 'rest' && !restQueryFits(client, soql, { all })) {
      if (config.mode === 'rest') {
        throw new FieldConfigError(
          `${object}: the SELECT (${fields.length} fields) is too long for a REST query URL (Salesforce allows 16,384 bytes); use mode "auto" or "bulk", or list fewer fields`,
        );
      }
      // Bulk takes the SOQL in the request body (up to 100,000 characters).
      mode = 'bulk';
      deps.log('select too long for REST; using Bulk', {
        object,
        fields: fields.length,
        soqlLength: soql.length,
      });
    }

    const key = objectKey(object, runStartedAt);
    const owner = await runOfExistingObject(deps.s3, deps.config.RAW_BUCKET, key);
    if (owner !== undefined && owner !== task.run.id) {
      throw new OutputExistsError(
        `s3://${deps.config.RAW_BUCKET}/${key} already exists: another run of ${object} started in the same JST minute. ` +
          'Nothing was overwritten and the watermark is unchanged; run again once the minute has turned.',
      );
    }
    const upload = await createUpload(deps.s3, { bucket: deps.config.RAW_BUCKET, key, runId: task.run.id });
    task.object = object;
    task.plan = {
      mode,
      soql,
      all,
      fields,
      kinds,
      schemaHash: hash,
      counted,
      window: { from: window.from?.toISOString() ?? null, to: window.to?.toISOString() ?? null },
      storedWatermark: stored?.watermark ?? null,
      nextWatermark: config.incremental ? (window.to?.toISOString() ?? null) : null,
      key,
      manifestKey: manifestKeyFor(key),
    };
    task.upload = upload;
    task.stats.stateChanges.push(`planned ${mode}${counted === null ? '' : ` (count ${counted})`}`);
    return task;
  });
}
