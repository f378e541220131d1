import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client, putJson, readObjectStream, readObjectText, uploadStream } from './s3';
import { createBucket, uniqueName } from '../../scripts/testing/stack';

function sha256(buffer: Buffer): string {
  return createHash('sha256').update(buffer).digest('hex');
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Yields `total` random bytes in small chunks, as a producer that never holds the whole object. */
function randomStream(total: number, seed: Buffer[]): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return this.push(null);
      const chunk = randomBytes(Math.min(256 * 1024, total - sent));
      seed.push(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

describe('S3 helpers against s3rver', () => {
  const s3 = createS3Client();
  let bucket: string;

  beforeAll(async () => {
    bucket = await createBucket(uniqueName('s3-helpers'));
  });

  it('round-trips a 20 MB multipart upload byte for byte', async () => {
    const sent: Buffer[] = [];
    const size = 20 * 1024 * 1024;
    await uploadStream(bucket, 'big/object.bin', randomStream(size, sent), {
      partSizeBytes: 5 * 1024 * 1024,
    });
    const original = Buffer.concat(sent);
    const { body, contentLength } = await readObjectStream(bucket, 'big/object.bin');
    const received = await streamToBuffer(body);
    expect(contentLength).toBe(size);
    expect(received.length).toBe(size);
    // Without WHEN_REQUIRED checksums s3rver would store aws-chunked framing here.
    expect(sha256(received)).toBe(sha256(original));
  });

  it('aborts the multipart upload when the source fails, leaving no object', async () => {
    let produced = 0;
    const failing = new Readable({
      read() {
        produced += 1;
        if (produced > 3) {
          this.destroy(new Error('source broke'));
          return;
        }
        this.push(randomBytes(5 * 1024 * 1024));
      },
    });
    await expect(
      uploadStream(bucket, 'partial/never.bin', failing, { partSizeBytes: 5 * 1024 * 1024 }),
    ).rejects.toThrow();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'partial/' }));
    expect(listed.KeyCount ?? 0).toBe(0);
    const uploads = await s3
      .send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'partial/' }))
      .catch(() => ({ Uploads: [] }));
    expect(uploads.Uploads ?? []).toHaveLength(0);
  });

  it('writes and reads JSON documents', async () => {
    await putJson(bucket, 'reports/a.json', { ok: true, 名前: 'テスト' });
    expect(JSON.parse(await readObjectText(bucket, 'reports/a.json'))).toEqual({ ok: true, 名前: 'テスト' });
  });
});
