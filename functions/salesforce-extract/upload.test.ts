import { createHash, randomBytes } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createS3Client } from '../shared/s3';
import { createBucket, uniqueName } from '../../scripts/testing/stack';
import { abortUpload, carryPrefix, completedUpload, createUpload, ResumableUpload } from './upload';
import type { UploadState } from './steps/types';

/** Against the embedded S3 (s3rver): the upload outlives its "invocations" and nothing partial ever shows. */
const MiB = 1024 * 1024;
const s3 = createS3Client();
let bucket: string;

beforeAll(async () => {
  bucket = await createBucket(uniqueName('sf-upload'));
});

/** Text of `size` bytes in lines, with multi-byte characters (ASCII only at the edges of each line). */
function text(size: number, seed: string): string {
  const line = `${seed},${randomBytes(24).toString('hex')},日本語🎉\n`;
  return line.repeat(Math.ceil(size / Buffer.byteLength(line))).slice(0, size);
}

async function objectBytes(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function keysUnder(prefix: string): Promise<string[]> {
  const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function writeAll(upload: ResumableUpload, body: string, rows = 0): Promise<void> {
  // In line-sized writes, as the steps write rows.
  const lines = body.split(/(?<=\n)/);
  for (const line of lines) {
    const pending = upload.write(line, rows ? 1 : 0);
    if (pending) await pending;
  }
}

describe('resumable multipart upload', () => {
  it('continues across invocations through checkpoints: same bytes, one sha-256, carries removed', async () => {
    const key = `raw/Account/${uniqueName('file')}.csv`;
    const prefix = carryPrefix('run-1', 'Account');
    const options = { partSize: 5 * MiB };
    const pieces = [text(3 * MiB, 'a'), text(4 * MiB, 'b'), text(6 * MiB + 123, 'c')];

    let state: UploadState = await createUpload(s3, { bucket, key, runId: 'run' });
    for (const piece of pieces.slice(0, 2)) {
      const upload = await ResumableUpload.open(s3, state, prefix, options);
      await writeAll(upload, piece, 1);
      state = await upload.checkpoint();
      // A checkpoint is plain JSON: it crosses the state machine.
      state = JSON.parse(JSON.stringify(state)) as UploadState;
    }
    expect(state.parts.length).toBe(1);
    expect(state.carryBytes).toBeGreaterThan(0);
    expect(state.carryBytes).toBeLessThan(5 * MiB);
    expect(await keysUnder(prefix)).toContain(state.carryKey);
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });

    const last = await ResumableUpload.open(s3, state, prefix, options);
    await writeAll(last, pieces[2]!, 1);
    const done = await last.complete();

    const expected = Buffer.from(pieces.join(''), 'utf8');
    const stored = await objectBytes(key);
    expect(stored.equals(expected)).toBe(true);
    expect(done.bytes).toBe(expected.length);
    expect(done.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    expect(await keysUnder(prefix)).toEqual([]);
  });

  it('recognizes an upload that completed when a commit is retried with the same checkpoint', async () => {
    const key = `raw/Account/${uniqueName('again')}.csv`;
    const prefix = carryPrefix('run-2', 'Account');
    const created = await createUpload(s3, { bucket, key, runId: 'run' });
    expect(await completedUpload(s3, created, 'run')).toBeUndefined();
    const upload = await ResumableUpload.open(s3, created, prefix, { partSize: 5 * MiB });
    await writeAll(upload, text(1000, 'x'));
    const state = await upload.checkpoint();
    expect(await completedUpload(s3, state, 'run')).toBeUndefined();
    const first = await (await ResumableUpload.open(s3, state, prefix, { partSize: 5 * MiB })).complete();
    expect(await completedUpload(s3, state, 'run')).toEqual({
      sha256: first.sha256,
      bytes: first.bytes,
      eTag: expect.any(String),
    });
    // The same key written by another run (same object, same JST minute) is not this upload.
    expect(await completedUpload(s3, state, 'another run')).toBeUndefined();
  });

  it('rolls back what a broken page wrote, parts included', async () => {
    const key = `raw/Account/${uniqueName('rollback')}.csv`;
    const prefix = carryPrefix('run-3', 'Account');
    const upload = await ResumableUpload.open(
      s3,
      await createUpload(s3, { bucket, key, runId: 'run' }),
      prefix,
      {
        partSize: 5 * MiB,
      },
    );
    const kept = text(2 * MiB, 'kept');
    await writeAll(upload, kept, 1);
    const mark = await upload.mark();
    const recordsAtMark = upload.records;
    await writeAll(upload, text(7 * MiB, 'broken'), 1);
    await upload.rollback(mark);
    expect(upload.records).toBe(recordsAtMark);
    const again = text(7 * MiB, 'again');
    await writeAll(upload, again, 1);
    const done = await upload.complete();
    const expected = Buffer.from(kept + again, 'utf8');
    expect((await objectBytes(key)).equals(expected)).toBe(true);
    expect(done.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
  });

  it('recycles part buffers once S3 answered, never the one a rollback still needs', async () => {
    const key = `raw/Account/${uniqueName('recycle')}.csv`;
    const upload = await ResumableUpload.open(
      s3,
      await createUpload(s3, { bucket, key, runId: 'run' }),
      carryPrefix('run-5', 'Account'),
      { partSize: 5 * MiB, queueSize: 2 },
    );
    const kept = text(2 * MiB, 'kept');
    await writeAll(upload, kept, 1);
    const mark = await upload.mark();
    // Several parts past the mark: the marked buffer (sent with the first of them) must not be refilled.
    await writeAll(upload, text(23 * MiB, 'broken'), 1);
    await upload.rollback(mark);
    const again = text(41 * MiB, 'again');
    await writeAll(upload, again, 1);
    const done = await upload.complete();
    const expected = Buffer.from(kept + again, 'utf8');
    expect((await objectBytes(key)).equals(expected)).toBe(true);
    expect(done.sha256).toBe(createHash('sha256').update(expected).digest('hex'));
    // 66 MiB in 5 MiB parts: the two in flight, the one filling and the marked one, not one per part.
    expect(upload.partBuffers).toBeLessThanOrEqual(4);
  });

  it('abort leaves no object and no carry', async () => {
    const key = `raw/Account/${uniqueName('aborted')}.csv`;
    const prefix = carryPrefix('run-4', 'Account');
    const upload = await ResumableUpload.open(
      s3,
      await createUpload(s3, { bucket, key, runId: 'run' }),
      prefix,
      {
        partSize: 5 * MiB,
      },
    );
    await writeAll(upload, text(6 * MiB, 'z'));
    const state = await upload.checkpoint();
    expect(state.parts.length).toBe(1);
    expect(await keysUnder(prefix)).toHaveLength(1);
    await abortUpload(s3, state, prefix);
    await abortUpload(s3, state, prefix); // a retried abort is harmless
    await expect(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject({
      name: 'NotFound',
    });
    expect(await keysUnder(prefix)).toEqual([]);
    await expect(
      (
        await ResumableUpload.open(s3, { ...state, carryKey: undefined, carryBytes: 0 }, prefix, {
          partSize: 5 * MiB,
        })
      ).complete(),
    ).rejects.toThrow();
  });
});
