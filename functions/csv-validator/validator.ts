import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod/mini';
import { headObject, putJson, readObjectStream, uploadStream } from '../shared/s3';
import { InputValidationError } from '../shared/errors';
import { type FileRef, type ValidationResult } from '../csv-processor/contract';
import { validateCsv, type NormalizedSink, type ValidationLimits } from './validate';

/**
 * The validator step: claims the object version (so a redelivered event takes
 * effect once), validates the file in one streaming pass, writes the normalized
 * UTF-8 copy the map reads when the source is not plain UTF-8, and writes the full
 * error report when the file is rejected.
 */
export const ValidatorEvent = z.object({
  /** The EventBridge "Object Created" event exactly as the rule delivered it. */
  event: z.object({
    detail: z.object({
      bucket: z.object({ name: z.string().check(z.minLength(1)) }),
      object: z.object({
        key: z.string().check(z.minLength(1)),
        size: z.optional(z.number()),
        etag: z.optional(z.string()),
        'version-id': z.optional(z.string()),
      }),
    }),
    /** Set by an operator re-running a file on purpose (see docs/csv-processor.md). */
    reprocess: z.optional(z.boolean()),
  }),
  execution: z.object({
    name: z.string().check(z.minLength(1)),
    arn: z.string().check(z.minLength(1)),
    startTime: z.string().check(z.minLength(1)),
  }),
});
export type ValidatorEvent = z.infer<typeof ValidatorEvent>;

export interface ValidatorDeps {
  s3: S3Client;
  ddb: DynamoDBDocumentClient;
  outputBucket: string;
  fileClaimsTable: string;
  claimTtlDays: number;
  limits: Partial<ValidationLimits>;
}

export const NORMALIZED_PREFIX = 'normalized/';
export const ERRORS_PREFIX = 'errors/';

export async function validateUpload(input: unknown, deps: ValidatorDeps): Promise<ValidationResult> {
  const parsed = ValidatorEvent.safeParse(input);
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path.join('.') ?? '(event)';
    throw new InputValidationError(
      `Unexpected validator input at ${field}: ${parsed.error.issues[0]?.message}`,
      { field },
    );
  }
  const { event, execution } = parsed.data;
  const file = await resolveFile(event.detail, deps.s3);

  const duplicateOf = await claimFile(file, execution, Boolean(event.reprocess), deps);
  const base = { bucket: file.bucket, sourceKey: file.key, normalizedKey: file.key };
  if (duplicateOf) {
    return {
      ...base,
      status: 'DUPLICATE',
      isValid: false,
      rowCount: 0,
      errors: [],
      errorCount: 0,
      encoding: null,
      errorReportKey: null,
      summary: {
        status: 'DUPLICATE',
        executionName: execution.name,
        rows: { total: 0, succeeded: 0, failed: 0, unchanged: 0 },
        errors: [],
        errorCount: 0,
        outputKeys: [],
        duplicateOf,
      },
    };
  }

  const normalizedKey = `${NORMALIZED_PREFIX}${file.key}`;
  const object = () => readObjectStream(file.bucket, file.key, { versionId: file.versionId, s3: deps.s3 });
  const bodies: NodeJS.ReadableStream[] = [];
  const firstGet = await object();
  const validation = await validateCsv(
    async function* () {
      // The first GET is already open (its size is checked first); a Shift_JIS retry opens another.
      const body = bodies.length === 0 ? firstGet.body : (await object()).body;
      bodies.push(body);
      yield* body as AsyncIterable<Uint8Array>;
    },
    {
      limits: deps.limits,
      contentLength: firstGet.contentLength,
      openNormalizedSink: () => s3Sink(deps.outputBucket, normalizedKey, deps.s3),
    },
  ).finally(() => {
    // A rejected file may stop reading early: release the sockets.
    firstGet.body.destroy();
    for (const body of bodies) (body as PassThrough).destroy();
  });

  if (validation.isValid) {
    return {
      status: 'VALID',
      isValid: true,
      rowCount: validation.rowCount,
      errors: [],
      errorCount: 0,
      encoding: validation.encoding,
      errorReportKey: null,
      bucket: validation.normalized ? deps.outputBucket : file.bucket,
      normalizedKey: validation.normalized ? normalizedKey : file.key,
      sourceKey: file.key,
    };
  }
  const errorReportKey = `${ERRORS_PREFIX}${file.key}.json`;
  await putJson(
    deps.outputBucket,
    errorReportKey,
    {
      file: {
        bucket: file.bucket,
        key: file.key,
        versionId: file.versionId ?? null,
        eTag: file.eTag ?? null,
      },
      executionName: execution.name,
      encoding: validation.encoding,
      rowCount: validation.rowCount,
      errorCount: validation.issueCount,
      truncated: validation.issueCount > validation.issues.length,
      errors: validation.issues,
    },
    deps.s3,
  );
  const errors = validation.issues.slice(0, deps.limits.maxReturnedIssues ?? 100);
  return {
    ...base,
    status: 'INVALID',
    isValid: false,
    rowCount: validation.rowCount,
    errors,
    errorCount: validation.issueCount,
    encoding: validation.encoding,
    errorReportKey,
    summary: {
      status: 'VALIDATION_FAILED',
      executionName: execution.name,
      // Nothing is applied: every data row of a rejected file counts as failed.
      rows: { total: validation.rowCount, succeeded: 0, failed: validation.rowCount, unchanged: 0 },
      errors: errors.map((e) => ({
        line: e.line,
        userId: e.userId ?? null,
        reason: [e.column ? `${e.reason} (${e.column})` : e.reason, e.detail].filter(Boolean).join(': '),
      })),
      errorCount: validation.issueCount,
      outputKeys: [errorReportKey],
    },
  };
}

/**
 * Keys in S3 notifications are URL-encoded ("a b.csv" arrives as "a+b.csv"); the
 * decoded form is tried when the literal key does not exist.
 */
async function resolveFile(detail: ValidatorEvent['event']['detail'], s3: S3Client): Promise<FileRef> {
  const bucket = detail.bucket.name;
  const literal = detail.object.key;
  const candidates = [literal];
  const decoded = safeDecode(literal);
  if (decoded !== literal) candidates.push(decoded);
  for (const key of candidates) {
    try {
      const head = await headObject(bucket, key, s3);
      return {
        bucket,
        key,
        versionId: detail.object['version-id'] ?? head.VersionId ?? undefined,
        eTag: stripQuotes(detail.object.etag ?? head.ETag),
      };
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NotFound') continue;
      throw error;
    }
  }
  throw new InputValidationError(`s3://${bucket}/${literal} does not exist`, { file: literal });
}

function safeDecode(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

const stripQuotes = (value: string | undefined) => value?.replace(/^"|"$/g, '');

export const fileIdOf = (file: FileRef) =>
  `${file.bucket}/${file.key}#${file.versionId ?? file.eTag ?? 'unversioned'}`;

/**
 * Conditional write keyed by bucket/key#version (or ETag when the bucket is not
 * versioned): the first execution for an object version owns it; a retry of the
 * same execution passes; any other execution is a duplicate. Returns the owning
 * execution's ARN for a duplicate, null otherwise.
 */
async function claimFile(
  file: FileRef,
  execution: ValidatorEvent['execution'],
  reprocess: boolean,
  deps: ValidatorDeps,
): Promise<string | null> {
  const fileId = fileIdOf(file);
  const item = {
    fileId,
    executionArn: execution.arn,
    executionName: execution.name,
    claimedAt: new Date().toISOString(),
    ttl: Math.floor(Date.now() / 1000) + deps.claimTtlDays * 86_400,
  };
  try {
    await deps.ddb.send(
      new PutCommand({
        TableName: deps.fileClaimsTable,
        Item: item,
        ...(reprocess
          ? {}
          : {
              ConditionExpression: 'attribute_not_exists(fileId) OR executionArn = :arn',
              ExpressionAttributeValues: { ':arn': execution.arn },
            }),
      }),
    );
    return null;
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const existing = await deps.ddb.send(
      new GetCommand({ TableName: deps.fileClaimsTable, Key: { fileId }, ConsistentRead: true }),
    );
    return String(existing.Item?.executionArn ?? 'unknown');
  }
}

function s3Sink(bucket: string, key: string, s3: S3Client): NormalizedSink {
  const stream = new PassThrough();
  const done = uploadStream(bucket, key, stream, { contentType: 'text/csv; charset=utf-8', s3 });
  // Observed in finish/abort; without this an abort would surface as an unhandled rejection.
  done.catch(() => undefined);
  return {
    async write(text) {
      if (!stream.write(text)) await once(stream, 'drain');
    },
    async finish() {
      stream.end();
      await done;
    },
    async abort(reason) {
      stream.destroy(reason);
      await done.catch(() => undefined);
    },
  };
}
