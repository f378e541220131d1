import { readFileSync } from 'node:fs';
import type pg from 'pg';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { assetPath } from '../shared/assets';
import { DatabaseTransientError, InputValidationError } from '../shared/errors';
import { withTransaction } from '../shared/db';
import { writeAudit, type RowAudit } from './audit';
import {
  checkUserId,
  lineOfIndex,
  LOGIN_COUNT_COLUMN,
  parseCount,
  POST_COUNT_COLUMN,
  Reason,
  USER_ID_COLUMN,
  type BatchOutcome,
  type ExecutionRef,
} from './contract';

/**
 * One map batch: sets each user's counts to the CSV values in one set-based
 * statement, audits every row, and reports which rows failed and why.
 *
 * The audit is written before COMMIT: if DynamoDB fails the transaction rolls back
 * and the retried batch starts clean; if COMMIT fails after the audit was written,
 * the retry overwrites the same audit items (their keys are deterministic).
 */
export const BatchInput = z.object({
  executionName: z.string().check(z.minLength(1)),
  executionArn: z.string().check(z.minLength(1)),
  startTime: z.string().check(z.minLength(1)),
  sourceKey: z.string().check(z.minLength(1)),
});
export type BatchInput = z.infer<typeof BatchInput>;

const Item = z.object({ index: z.int().check(z.nonnegative()), row: z.record(z.string(), z.string()) });

export const ApplyBatchEvent = z.object({
  batchInput: BatchInput,
  items: z.array(Item).check(z.minLength(1)),
});

export interface ApplyBatchDeps {
  pool: pg.Pool;
  auditTable: string;
  /** Audit successful rows too (failures are always audited). */
  auditSuccess: boolean;
  ddb?: DynamoDBDocumentClient;
}

let applySql: string | undefined;
const applyBatchSql = () =>
  (applySql ??= readFileSync(assetPath('csv-processor/sql/apply-batch.sql'), 'utf8'));

export function parseBatchEvent(input: unknown) {
  const parsed = ApplyBatchEvent.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputValidationError(`Unexpected batch input at ${issue?.path.join('.')}: ${issue?.message}`, {
      field: issue?.path.join('.'),
    });
  }
  return parsed.data;
}

export const executionOf = (batch: BatchInput): ExecutionRef => ({
  executionName: batch.executionName,
  executionArn: batch.executionArn,
  startTime: batch.startTime,
});

interface ParsedRow {
  index: number;
  line: number;
  userId: string;
  loginCount: number;
  postCount: number;
}

export async function applyBatch(input: unknown, deps: ApplyBatchDeps): Promise<BatchOutcome> {
  const { batchInput, items } = parseBatchEvent(input);
  const audits: RowAudit[] = [];
  const rows: ParsedRow[] = [];
  // The validator has checked every row; re-checking keeps a hand-started execution honest.
  for (const item of items) {
    const line = lineOfIndex(item.index);
    const userId = item.row[USER_ID_COLUMN] ?? '';
    const login = parseCount(item.row[LOGIN_COUNT_COLUMN] ?? '');
    const posts = parseCount(item.row[POST_COUNT_COLUMN] ?? '');
    const problem =
      checkUserId(userId) ??
      ('reason' in login ? `${login.reason} (${LOGIN_COUNT_COLUMN})` : null) ??
      ('reason' in posts ? `${posts.reason} (${POST_COUNT_COLUMN})` : null);
    if (problem || 'reason' in login || 'reason' in posts) {
      audits.push({
        line,
        userId,
        status: 'failed',
        processingType: 'none',
        errorMessage: problem ?? 'invalid row',
      });
      continue;
    }
    rows.push({ index: item.index, line, userId, loginCount: login.value, postCount: posts.value });
  }

  const execution = executionOf(batchInput);
  await withTransaction(deps.pool, async (client) => {
    if (rows.length > 0) {
      const result = await client.query<{
        row_index: number;
        user_id: string;
        outcome: 'updated' | 'inserted' | 'conflict' | 'user_not_found';
        old_login_count: number | null;
        old_post_count: number | null;
        login_count: number;
        post_count: number;
      }>(applyBatchSql(), [
        rows.map((r) => r.userId),
        rows.map((r) => r.loginCount),
        rows.map((r) => r.postCount),
        rows.map((r) => r.index),
      ]);
      for (const r of result.rows) {
        const line = lineOfIndex(r.row_index);
        const newValue = { loginCount: r.login_count, postCount: r.post_count };
        switch (r.outcome) {
          case 'user_not_found':
            audits.push({
              line,
              userId: r.user_id,
              status: 'failed',
              processingType: 'none',
              errorMessage: Reason.USER_NOT_FOUND,
            });
            break;
          case 'conflict':
            // Another transaction inserted this user's statistics after our snapshot: retry the batch.
            throw new DatabaseTransientError(
              `Concurrent insert of statistics for ${r.user_id} (line ${line}); retrying the batch`,
            );
          case 'inserted':
            audits.push({
              line,
              userId: r.user_id,
              status: 'success',
              processingType: 'statistics_insert',
              oldValue: null,
              newValue,
            });
            break;
          case 'updated': {
            const oldValue = { loginCount: r.old_login_count!, postCount: r.old_post_count! };
            const same =
              oldValue.loginCount === newValue.loginCount && oldValue.postCount === newValue.postCount;
            audits.push({
              line,
              userId: r.user_id,
              status: 'success',
              processingType: same ? 'statistics_unchanged' : 'statistics_update',
              oldValue,
              newValue,
            });
            break;
          }
        }
      }
    }
    const toWrite = deps.auditSuccess ? audits : audits.filter((a) => a.status === 'failed');
    await writeAudit(deps.auditTable, execution, batchInput.sourceKey, toWrite, deps.ddb);
  });

  return outcomeOf(items, audits);
}

function outcomeOf(items: { index: number }[], audits: RowAudit[]): BatchOutcome {
  const lines = items.map((i) => lineOfIndex(i.index));
  const failures = audits
    .filter((a) => a.status === 'failed')
    .sort((a, b) => a.line - b.line)
    .map((a) => ({ line: a.line, userId: a.userId, reason: a.errorMessage ?? 'failed' }));
  return {
    firstLine: Math.min(...lines),
    lastLine: Math.max(...lines),
    rows: items.length,
    succeeded: items.length - failures.length,
    failed: failures.length,
    unchanged: audits.filter((a) => a.processingType === 'statistics_unchanged').length,
    failures,
  };
}

/**
 * The child workflow's Catch target: the batch failed after every retry, so each of
 * its rows is recorded as failed with the error that stopped it.
 */
export const RecordFailureEvent = z.extend(ApplyBatchEvent, {
  error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
});

export async function recordBatchFailure(
  input: unknown,
  deps: Pick<ApplyBatchDeps, 'auditTable' | 'ddb'>,
): Promise<BatchOutcome> {
  const parsed = RecordFailureEvent.safeParse(input);
  if (!parsed.success) {
    throw new InputValidationError(`Unexpected failure-record input: ${parsed.error.issues[0]?.message}`);
  }
  const { batchInput, items, error } = parsed.data;
  const message = `${Reason.BATCH_FAILED}: ${error.Error}${causeMessage(error.Cause)}`;
  const audits: RowAudit[] = items.map((item) => ({
    line: lineOfIndex(item.index),
    userId: item.row[USER_ID_COLUMN] ?? '',
    status: 'failed',
    processingType: 'none',
    errorMessage: message,
  }));
  await writeAudit(deps.auditTable, executionOf(batchInput), batchInput.sourceKey, audits, deps.ddb);
  return outcomeOf(items, audits);
}

/** Lambda errors arrive as a JSON Cause ({"errorMessage": ...}); keep the message only. */
export function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return ` (${parsed.errorMessage.slice(0, 300)})`;
  } catch {
    // Not JSON: use the text as it is.
  }
  return ` (${cause.slice(0, 300)})`;
}
