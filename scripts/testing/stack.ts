import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { createDatabase } from '../local/database';
import { writeLocalSecret } from '../local/secrets-file';
import { createS3Client } from '../../functions/shared/s3';
import { resetPool } from '../../functions/shared/db';
import { resetSecretsCache } from '../../functions/shared/secrets';

/**
 * Per-test-file slice of the shared embedded stack: a fresh database and unique
 * bucket/table names, so test files run in parallel without seeing each other.
 */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`.toLowerCase();
}

/** Creates a fresh database and points DATABASE_URL (and so getPool) at it. */
export async function useFreshDatabase(prefix = 'test'): Promise<string> {
  const server = process.env.PIPELINES_TEST_DATABASE_URL;
  if (!server) throw new Error('The jest global setup did not start a database');
  const url = await createDatabase(server, `${prefix}_${randomBytes(4).toString('hex')}`);
  await resetPool();
  process.env.DATABASE_URL = url;
  return url;
}

export async function createBucket(name: string, versioned = false): Promise<string> {
  const s3 = createS3Client();
  await s3.send(new CreateBucketCommand({ Bucket: name }));
  if (versioned) {
    await s3
      .send(
        new PutBucketVersioningCommand({
          Bucket: name,
          VersioningConfiguration: { Status: 'Enabled' },
        }),
      )
      .catch(() => undefined);
  }
  return name;
}

/**
 * Adds or replaces a secret in a secrets file private to this jest worker (test
 * files in one worker run one after another; workers run in parallel). The file sits
 * in the run's scratch folder, which the global teardown removes.
 */
export async function putLocalSecret(id: string, value: unknown): Promise<void> {
  const scratch = process.env.PIPELINES_TEST_TMPDIR;
  if (!scratch) throw new Error('The jest global setup did not create a scratch folder');
  const file = join(scratch, `secrets-${process.pid}.json`);
  process.env.LOCAL_SECRETS_FILE = file;
  await writeLocalSecret(file, id, value);
  resetSecretsCache();
}
