import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import pg from 'pg';
import { clientSettings } from '../../../functions/shared/aws';
import { migrateDatabase } from '../../../functions/shared/migrations';
import { createS3Client } from '../../../functions/shared/s3';
import { countsFor, csvText, encodeCsv, userId } from '../fixtures/csv-user-log';
import { LOCAL_ACCOUNT } from '../stepfunctions/asl';
import { ensureResources, type ResourceSpec } from './resources';

/**
 * csv-processor's resources on the local stack, as infrastructure/terraform/modules/
 * csv-processor names and creates them (csv-processor.terraform.test.ts keeps the two
 * in step), the environment its functions read, its schema and demo data.
 */
export const INCOMING_PREFIX = 'incoming/';
export const RESULTS_PREFIX = 'results/';
/** Where a run's full report is copied, so it outlives a throw-away stack. */
export const LOCAL_RUNS_DIR = '.local/runs/csv-processor';

export interface CsvProcessorNames {
  environment: string;
  inputBucket: string;
  outputBucket: string;
  auditTable: string;
  fileClaimsTable: string;
}

/** The names the Terraform module gives an environment, in the local account. */
export function localNames(environment = 'local'): CsvProcessorNames {
  const prefix = `csv-processor-${environment}`;
  return {
    environment,
    inputBucket: `${prefix}-input-${LOCAL_ACCOUNT}`,
    outputBucket: `${prefix}-output-${LOCAL_ACCOUNT}`,
    auditTable: `ProcessingLogs-${environment}`,
    fileClaimsTable: `${prefix}-files`,
  };
}

/** The buckets and tables the Terraform module creates (DESIGN.md §3 for ProcessingLogs). */
export function csvProcessorResources(names: CsvProcessorNames): ResourceSpec {
  return {
    buckets: [{ name: names.inputBucket }, { name: names.outputBucket }],
    tables: [
      {
        name: names.auditTable,
        hashKey: { name: 'executionName', type: 'S' },
        rangeKey: { name: 'timestamp', type: 'S' },
        ttlAttribute: 'ttl',
        indexes: [
          {
            name: 'UserIdIndex',
            hashKey: { name: 'userId', type: 'S' },
            rangeKey: { name: 'timestamp', type: 'S' },
            projection: 'ALL',
          },
        ],
      },
      { name: names.fileClaimsTable, hashKey: { name: 'fileId', type: 'S' }, ttlAttribute: 'ttl' },
    ],
  };
}

/** Environment the functions read (the Terraform module sets the same variables). */
export function functionEnv(
  names: CsvProcessorNames,
  options: { auditSuccess?: boolean } = {},
): Record<string, string> {
  return {
    ENVIRONMENT: names.environment,
    OUTPUT_BUCKET: names.outputBucket,
    FILE_CLAIMS_TABLE: names.fileClaimsTable,
    AUDIT_TABLE: names.auditTable,
    AUDIT_SUCCESS: options.auditSuccess === false ? 'false' : 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'csv-processor',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
  };
}

export async function migrate(databaseUrl: string | undefined): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await migrateDatabase(pool, 'csv-migrate');
  } finally {
    await pool.end();
  }
}

/** Creates what the Terraform module creates, when missing, and applies the schema as csv-migrate does. */
export async function prepareCsvProcessor(
  names: CsvProcessorNames,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  await ensureResources(csvProcessorResources(names), {
    s3: createS3Client(env),
    ddb: new DynamoDBClient(clientSettings('DYNAMODB', env)),
  });
  await migrate(env.DATABASE_URL);
}

/** Users U00001…U<count>, skipping those `skip` says to leave out (demo failures). */
export async function seedUsers(
  databaseUrl: string,
  count: number,
  skip: (n: number) => boolean = () => false,
): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids: string[] = [];
    for (let n = 1; n <= count; n++) if (!skip(n)) ids.push(userId(n));
    let inserted = 0;
    for (let i = 0; i < ids.length; i += 10_000) {
      const chunk = ids.slice(i, i + 10_000);
      const out = await client.query(
        `INSERT INTO users (user_id, username, email)
         SELECT id, 'user ' || id, lower(id) || '@example.com' FROM unnest($1::varchar[]) AS id
         ON CONFLICT (user_id) DO NOTHING`,
        [chunk],
      );
      inserted += out.rowCount ?? 0;
    }
    return inserted;
  } finally {
    await client.end();
  }
}

/** Demo data: every 40th user is not seeded, so its row fails with USER_NOT_FOUND (2.5 %, within tolerance). */
export const demoUnknownUser = (n: number) => n % 40 === 0;

export function demoFile(rows: number): Buffer {
  const lines: Array<[string, number, number]> = [];
  for (let n = 1; n <= rows; n++) lines.push([userId(n), ...countsFor(n)]);
  return encodeCsv(csvText(lines));
}
