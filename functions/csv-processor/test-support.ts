import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import pg from 'pg';
import { createDocumentClient } from '../shared/dynamo';

/** Helpers shared by the csv-processor integration tests (not shipped: no handler imports it). */
export interface AuditItem {
  executionName: string;
  timestamp: string;
  line: number;
  userId: string;
  status: 'success' | 'failed';
  processingType: string;
  oldValue?: { loginCount: number; postCount: number };
  newValue?: { loginCount: number; postCount: number };
  errorMessage?: string;
  ttl: number;
}

export async function auditItems(table: string, executionName: string): Promise<AuditItem[]> {
  const ddb = createDocumentClient();
  const items: AuditItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await ddb.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'executionName = :e',
        ExpressionAttributeValues: { ':e': executionName },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as AuditItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => a.line - b.line);
}

export interface StatisticsRow {
  user_id: string;
  login_count: number;
  post_count: number;
  last_updated: Date;
}

export async function statistics(databaseUrl: string): Promise<Map<string, StatisticsRow>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const out = await client.query<StatisticsRow>(
      'SELECT user_id, login_count, post_count, last_updated FROM user_statistics',
    );
    return new Map(out.rows.map((r) => [r.user_id, r]));
  } finally {
    await client.end();
  }
}
