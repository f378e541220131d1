import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchPutAll } from '../shared/dynamo';
import type { ExecutionRef } from './contract';

/**
 * Audit items in ProcessingLogs: one per row outcome. The sort key is the
 * execution's start time plus the row's line, so it is the same on every retry of a
 * batch: a retried or re-recorded row overwrites its item instead of adding one, and
 * an execution holds exactly one item per data row.
 */
export const AUDIT_TTL_SECONDS = 183 * 24 * 60 * 60; // six months

export interface Counts {
  loginCount: number;
  postCount: number;
}

export interface RowAudit {
  line: number;
  userId: string;
  status: 'success' | 'failed';
  processingType: 'statistics_insert' | 'statistics_update' | 'statistics_unchanged' | 'none';
  oldValue?: Counts | null;
  newValue?: Counts;
  errorMessage?: string;
}

export function auditSortKey(startTime: string, line: number): string {
  return `${startTime}#${String(line).padStart(9, '0')}`;
}

export function auditItem(execution: ExecutionRef, sourceKey: string, row: RowAudit, now = new Date()) {
  return {
    executionName: execution.executionName,
    timestamp: auditSortKey(execution.startTime, row.line),
    executionArn: execution.executionArn,
    // The GSI key must be a non-empty string; a row without a usable id keeps its line.
    userId: row.userId || `(line ${row.line})`,
    line: row.line,
    sourceKey,
    processingType: row.processingType,
    status: row.status,
    oldValue: row.oldValue ?? undefined,
    newValue: row.newValue,
    errorMessage: row.errorMessage,
    processedAt: now.toISOString(),
    ttl: Math.floor(now.getTime() / 1000) + AUDIT_TTL_SECONDS,
  };
}

export async function writeAudit(
  table: string,
  execution: ExecutionRef,
  sourceKey: string,
  rows: RowAudit[],
  client?: DynamoDBDocumentClient,
): Promise<void> {
  if (rows.length === 0) return;
  const now = new Date();
  await batchPutAll(
    table,
    rows.map((row) => auditItem(execution, sourceKey, row, now)),
    client ? { client } : {},
  );
}
