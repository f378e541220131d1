import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExtractConfig } from '../config';
import type { NulCounter } from '../canonical';
import type { SalesforceClient } from '../http';
import { carryPrefix, ResumableUpload } from '../upload';
import type { ObjectTask, Stats, UploadState } from './types';

/**
 * What a step needs from outside: plain values and clients, so every step runs in tests
 * against the local stack and the fake org without a Lambda around it.
 */
export interface StepDeps {
  config: ExtractConfig;
  s3: S3Client;
  ddb: DynamoDBDocumentClient;
  /** A Salesforce client for this invocation (the token is cached across invocations). */
  salesforce(): Promise<SalesforceClient>;
  now(): Date;
  /** Epoch ms after which a paging step checkpoints and returns (remaining time − reserve). */
  deadline: number;
  log(message: string, fields?: Record<string, unknown>): void;
}

export function emptyStats(): Stats {
  return {
    pages: 0,
    records: 0,
    pageRecords: 0,
    nulStripped: 0,
    apiCalls: 0,
    retries: 0,
    invocations: 0,
    stateChanges: [],
  };
}

/** Adds one invocation's API usage to the task's running totals. */
export function countUsage(task: ObjectTask, client: SalesforceClient | undefined): void {
  task.stats.invocations++;
  if (!client) return;
  task.stats.apiCalls += client.usage.calls;
  task.stats.retries += client.retries;
  if (client.usage.used !== undefined) task.stats.apiUsed = client.usage.used;
  if (client.usage.max !== undefined) task.stats.apiMax = client.usage.max;
}

/**
 * Runs a step body with a client whose usage is added to the task even when the body
 * throws (the failure's log line still shows what was spent).
 */
export async function withClient<T>(
  deps: StepDeps,
  task: ObjectTask,
  body: (client: SalesforceClient) => Promise<T>,
): Promise<T> {
  const client = await deps.salesforce();
  try {
    return await body(client);
  } finally {
    countUsage(task, client);
  }
}

export function requirePlan(task: ObjectTask) {
  if (!task.plan) throw new Error(`${task.object}: step called before plan`);
  return task.plan;
}

/**
 * Reopens the task's upload where the last invocation stopped, with the NUL count carried
 * over, so a paging step keeps writing one file across invocations.
 */
export async function resumeUpload(
  deps: StepDeps,
  task: ObjectTask,
  state: UploadState,
): Promise<{ upload: ResumableUpload; counter: NulCounter }> {
  const upload = await ResumableUpload.open(deps.s3, state, carryPrefix(task.run.id, task.object), {
    partSize: deps.config.UPLOAD_PART_BYTES,
  });
  return { upload, counter: { nulStripped: task.stats.nulStripped } };
}

/** Saves the upload's state and counts into the task, for the next invocation or the commit. */
export async function checkpointUpload(
  task: ObjectTask,
  upload: ResumableUpload,
  counter: NulCounter,
): Promise<void> {
  task.upload = await upload.checkpoint();
  task.stats.records = upload.records;
  task.stats.nulStripped = counter.nulStripped;
}
