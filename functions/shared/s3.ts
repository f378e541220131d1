import type { Readable } from 'node:stream';
import {
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { clientSettings } from './aws';

let client: S3Client | undefined;

export function createS3Client(env: NodeJS.ProcessEnv = process.env): S3Client {
  const settings = clientSettings('S3', env);
  const config: S3ClientConfig = { ...settings };
  if (settings.endpoint) {
    // Emulators serve path-style URLs only. s3rver also stores the aws-chunked
    // framing verbatim when the SDK adds trailer checksums to streamed bodies,
    // silently corrupting objects: checksums only where an API requires them.
    config.forcePathStyle = true;
    config.requestChecksumCalculation = 'WHEN_REQUIRED';
    config.responseChecksumValidation = 'WHEN_REQUIRED';
  }
  return new S3Client(config);
}

/** One client per execution environment (keeps TLS connections warm). */
export function s3Client(): S3Client {
  client ??= createS3Client();
  return client;
}

export interface ObjectStream {
  body: Readable;
  contentLength?: number;
  eTag?: string;
  versionId?: string;
}

/** Streams an object; nothing is buffered beyond what the consumer reads. */
export async function readObjectStream(
  bucket: string,
  key: string,
  options: { versionId?: string; s3?: S3Client } = {},
): Promise<ObjectStream> {
  const out = await (options.s3 ?? s3Client()).send(
    new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: options.versionId }),
  );
  return {
    body: out.Body as Readable,
    contentLength: out.ContentLength,
    eTag: out.ETag,
    versionId: out.VersionId,
  };
}

export async function readObjectText(
  bucket: string,
  key: string,
  s3: S3Client = s3Client(),
): Promise<string> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await out.Body?.transformToString('utf8')) ?? '';
}

export async function headObject(bucket: string, key: string, s3: S3Client = s3Client()) {
  return s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
}

export async function putJson(
  bucket: string,
  key: string,
  value: unknown,
  s3: S3Client = s3Client(),
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value, null, 2),
      ContentType: 'application/json',
    }),
  );
}

/**
 * Streams `body` into S3 through multipart upload (lib-storage): memory stays at
 * queueSize × partSize whatever the object size. On any failure the multipart
 * upload is aborted, so no partial object ever becomes visible.
 */
export async function uploadStream(
  bucket: string,
  key: string,
  body: Readable | Buffer | string,
  options: { contentType?: string; partSizeBytes?: number; queueSize?: number; s3?: S3Client } = {},
): Promise<{ eTag?: string; versionId?: string }> {
  const upload = new Upload({
    client: options.s3 ?? s3Client(),
    params: { Bucket: bucket, Key: key, Body: body, ContentType: options.contentType },
    partSize: options.partSizeBytes ?? 8 * 1024 * 1024,
    queueSize: options.queueSize ?? 2,
    leavePartsOnError: false,
  });
  const onSourceError = (error: Error) => void upload.abort().catch(() => error);
  if (typeof body === 'object' && 'on' in body) body.on('error', onSourceError);
  try {
    const out = await upload.done();
    return { eTag: out.ETag, versionId: out.VersionId };
  } catch (error) {
    await upload.abort().catch(() => undefined);
    throw error;
  } finally {
    if (typeof body === 'object' && 'off' in body) body.off('error', onSourceError);
  }
}
