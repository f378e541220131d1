import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createSHA256, type IHasher } from 'hash-wasm';
import type { UploadState } from './steps/types';

/**
 * One S3 multipart upload that outlives a Lambda invocation. A download that nears its
 * time budget stops between pages; the next invocation (the state machine loops back)
 * picks up the same upload: the part list and upload id travel in the state, the bytes
 * not yet in a part (< 5 MiB, S3's minimum for every part but the last) go to a carry
 * object under `raw/_incomplete/<runId>/<Object>/`, and the sha-256 continues from
 * hash-wasm's saved state, so the manifest's digest covers the whole file without reading
 * it back.
 *
 * lib-storage's Upload (functions/shared/s3.ts uploadStream) cannot do this: it owns the
 * upload id and the buffered tail inside one process and has no way to hand them to
 * another invocation.
 *
 * Memory: at most `queueSize` parts in flight plus the one filling, whatever the file size,
 * and no garbage per row beyond the row's own string; write() hands back a promise only
 * when the caller must wait (back-pressure). Part buffers are recycled once S3 has answered
 * for them, and handed to the next invocation's upload: a dropped 9 MiB buffer is freed only
 * when V8 collects its small wrapper, which outlives the part's upload and so is usually
 * promoted, leaving it for a full GC; a new buffer per part kept dead ones resident beside
 * the three in use.
 */
/** The hash is fed in slices of at least this much (a call into wasm per row would dominate). */
const HASH_SLICE_BYTES = 256 * 1024;
/** Room past the part size, so the row that crosses it still fits without growing the buffer. */
const PART_SLACK_BYTES = 1024 * 1024;
const EMPTY = Buffer.alloc(0);
/**
 * Part buffers of uploads this process has finished with (a checkpoint or a completion ends
 * an invocation's upload): the next invocation in a warm environment fills them again
 * instead of allocating while the last one's buffers wait for a full GC.
 */
const idleBuffers: Buffer[] = [];
const IDLE_BUFFERS_MAX = 4;

export interface UploadOptions {
  partSize: number;
  /** Parts uploading at once while the next one fills. */
  queueSize?: number;
}

export interface UploadMark {
  part: Buffer;
  used: number;
  nextPartNumber: number;
  hashState: Uint8Array;
  bytes: number;
  records: number;
}

const RUN_ID_METADATA = 'extract-run-id';

export function carryPrefix(runId: string, object: string): string {
  return `raw/_incomplete/${runId}/${object}/`;
}

/**
 * Starts the multipart upload (no bytes yet). The plan step calls it, so that every later
 * failure has an upload id in its state to abort: an upload started inside a step that
 * then failed would be invisible to Abort.
 */
export async function createUpload(
  s3: S3Client,
  target: { bucket: string; key: string; runId: string; contentType?: string },
): Promise<UploadState> {
  const out = await s3.send(
    new CreateMultipartUploadCommand({
      Bucket: target.bucket,
      Key: target.key,
      ContentType: target.contentType ?? 'text/csv; charset=utf-8',
      // Names the run that wrote the object: a retried commit recognizes its own file by it.
      Metadata: { [RUN_ID_METADATA]: target.runId },
    }),
  );
  if (!out.UploadId) throw new Error(`S3 returned no UploadId for ${target.key}`);
  return {
    bucket: target.bucket,
    key: target.key,
    uploadId: out.UploadId,
    parts: [],
    carryBytes: 0,
    hashState: '',
    bytes: 0,
    records: 0,
  };
}

export class ResumableUpload {
  /**
   * The part being filled: rows are encoded straight into it (no per-row or per-chunk
   * buffers, no concatenation copy), and it is sent as it is. A sent buffer is never
   * written again: the next part gets a fresh one.
   */
  private part: Buffer = EMPTY;
  private used = 0;
  /** Bytes of `part` already fed to the hash (hashing in large slices is much cheaper). */
  private hashed = 0;
  private nextPartNumber: number;
  private inFlight: Array<Promise<void>> = [];
  /** Part buffers S3 has answered for, ready to be filled again. */
  private spare: Buffer[] = [];
  /** The buffer the last mark() points into: never recycled while a rollback may need it. */
  private pinned: Buffer = EMPTY;
  private allocated = 0;
  /** After checkpoint() or complete(): the buffers went back to the process, nothing may be written. */
  private finished = false;
  private failure: unknown;
  private readonly queueSize: number;

  private constructor(
    private readonly s3: S3Client,
    private readonly state: UploadState,
    private readonly hasher: IHasher,
    private readonly prefix: string,
    private readonly options: UploadOptions,
  ) {
    this.nextPartNumber = state.parts.length + 1;
    this.queueSize = options.queueSize ?? 2;
    this.spare = idleBuffers.splice(0);
  }

  /**
   * Opens an upload created by createUpload, or continues it from a checkpoint: the
   * hash continues from its saved state and the carry's bytes start the next part.
   */
  static async open(
    s3: S3Client,
    saved: UploadState,
    carry: string,
    options: UploadOptions,
  ): Promise<ResumableUpload> {
    const hasher = await createSHA256();
    if (saved.hashState) hasher.load(Buffer.from(saved.hashState, 'base64'));
    else hasher.init();
    const upload = new ResumableUpload(s3, structuredClone(saved), hasher, carry, options);
    if (saved.carryKey && saved.carryBytes > 0) {
      const out = await s3.send(new GetObjectCommand({ Bucket: saved.bucket, Key: saved.carryKey }));
      // Streamed into the part buffer itself: collecting the body first (transformToByteArray,
      // then a Buffer copy) held three copies of up to a part at once, the run's peak.
      upload.reserve(saved.carryBytes);
      let length = 0;
      for await (const chunk of out.Body as AsyncIterable<Uint8Array>) {
        if (length + chunk.length <= saved.carryBytes) upload.part.set(chunk, length);
        length += chunk.length;
      }
      if (length !== saved.carryBytes)
        throw new Error(
          `Carry ${saved.carryKey} has ${length} bytes, the checkpoint says ${saved.carryBytes}`,
        );
      // Already counted in bytes and in the saved hash state.
      upload.used = upload.hashed = length;
    }
    return upload;
  }

  get bytes(): number {
    return this.state.bytes;
  }

  get records(): number {
    return this.state.records;
  }

  /** Part buffers allocated so far (recycled ones are not counted again). */
  get partBuffers(): number {
    return this.allocated;
  }

  /** Appends text; `records` counts the data rows in it. Await the result when there is one. */
  write(text: string, records = 0): Promise<void> | undefined {
    // UTF-8 needs at most 3 bytes per UTF-16 unit: measure exactly only when that might not fit.
    if (this.used + text.length * 3 > this.part.length) this.reserve(Buffer.byteLength(text, 'utf8'));
    const written = this.part.write(text, this.used, 'utf8');
    this.used += written;
    this.state.bytes += written;
    this.state.records += records;
    if (this.used - this.hashed >= HASH_SLICE_BYTES) this.hashPending();
    return this.used >= this.options.partSize ? this.flushPart() : undefined;
  }

  /** Makes room for `more` bytes in the current part (a new part buffer, or a larger one for a huge row). */
  private reserve(more: number): void {
    const needed = this.used + more;
    if (needed <= this.part.length) return;
    if (this.finished)
      throw new Error(`Upload of ${this.state.key} written after its checkpoint or completion`);
    const reused = this.spare.findIndex((b) => b.length >= needed);
    const grown =
      reused >= 0
        ? this.spare.splice(reused, 1)[0]!
        : Buffer.allocUnsafe(Math.max(needed, this.options.partSize + PART_SLACK_BYTES));
    if (reused < 0) this.allocated++;
    this.part.copy(grown, 0, 0, this.used);
    this.release(this.part);
    this.part = grown;
  }

  /** Every buffer back to the process once this upload's invocation is over. */
  private finish(): void {
    this.finished = true;
    const pinned = this.pinned;
    this.pinned = EMPTY;
    this.release(pinned);
    if (this.part !== pinned) this.release(this.part);
    this.part = EMPTY;
    this.used = this.hashed = 0;
    for (const buffer of this.spare.splice(0))
      if (idleBuffers.length < IDLE_BUFFERS_MAX) idleBuffers.push(buffer);
  }

  /** A part buffer nothing reads any more: kept for the next part unless a mark needs it. */
  private release(buffer: Buffer): void {
    if (buffer === EMPTY || buffer === this.pinned) return;
    // A row larger than a part grew one buffer past the usual size: not worth keeping.
    if (buffer.length > this.options.partSize + PART_SLACK_BYTES) return;
    this.spare.push(buffer);
  }

  private hashPending(): void {
    if (this.used > this.hashed) this.hasher.update(this.part.subarray(this.hashed, this.used));
    this.hashed = this.used;
  }

  private async flushPart(): Promise<void> {
    if (this.failure) throw this.failure;
    this.hashPending();
    const buffer = this.part;
    const body = buffer.subarray(0, this.used);
    this.part = EMPTY;
    this.used = this.hashed = 0;
    const partNumber = this.nextPartNumber++;
    const sending = this.s3
      .send(
        new UploadPartCommand({
          Bucket: this.state.bucket,
          Key: this.state.key,
          UploadId: this.state.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
        }),
      )
      .then((out) => {
        if (!out.ETag) throw new Error(`S3 returned no ETag for part ${partNumber}`);
        this.state.parts.push({ PartNumber: partNumber, ETag: out.ETag });
      })
      .catch((error: unknown) => {
        this.failure ??= error;
      })
      // Answered (or given up on after the SDK's retries): the SDK holds the body no longer.
      .finally(() => this.release(buffer));
    this.inFlight.push(sending);
    void sending.finally(() => {
      this.inFlight = this.inFlight.filter((p) => p !== sending);
    });
    while (this.inFlight.length >= this.queueSize) await Promise.race(this.inFlight);
    if (this.failure) throw this.failure;
  }

  private async settle(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
    this.state.parts.sort((a, b) => a.PartNumber - b.PartNumber);
  }

  /**
   * A point to come back to when a results page breaks off half-read: the page is fetched
   * again by its locator and must not be written twice. Costs no copy: the part being
   * filled is only ever appended to, and once sent it is never written again, so keeping
   * it with its length is enough; the hash state is a few hundred bytes.
   */
  async mark(): Promise<UploadMark> {
    this.hashPending();
    await this.settle();
    // Nothing is in flight: the previous mark's buffer, if it is not the one filling, was sent and answered.
    const previous = this.pinned;
    this.pinned = this.part;
    if (previous !== this.part) this.release(previous);
    return {
      part: this.part,
      used: this.used,
      nextPartNumber: this.nextPartNumber,
      hashState: this.hasher.save(),
      bytes: this.state.bytes,
      records: this.state.records,
    };
  }

  /** Forgets everything written since `mark`; parts uploaded since are re-sent under the same numbers. */
  async rollback(mark: UploadMark): Promise<void> {
    await Promise.all(this.inFlight);
    this.failure = undefined;
    this.state.parts = this.state.parts.filter((p) => p.PartNumber < mark.nextPartNumber);
    if (this.part !== mark.part) this.release(this.part);
    this.part = mark.part;
    this.used = this.hashed = mark.used;
    this.nextPartNumber = mark.nextPartNumber;
    this.hasher.load(mark.hashState);
    this.state.bytes = mark.bytes;
    this.state.records = mark.records;
  }

  /**
   * Saves what the next invocation needs and ends this one's upload (the next opens it
   * again from the returned state): parts in flight are finished, the bytes not yet
   * in a part are written to a carry object named after the byte offset (a retried
   * invocation that reuses an older checkpoint still finds that checkpoint's carry).
   */
  async checkpoint(): Promise<UploadState> {
    this.hashPending();
    await this.settle();
    if (this.used > 0) {
      const body = this.part.subarray(0, this.used);
      const key = `${this.prefix}${this.state.bytes}.carry`;
      await this.s3.send(new PutObjectCommand({ Bucket: this.state.bucket, Key: key, Body: body }));
      this.state.carryKey = key;
      this.state.carryBytes = body.length;
    } else {
      delete this.state.carryKey;
      this.state.carryBytes = 0;
    }
    this.state.hashState = Buffer.from(this.hasher.save()).toString('base64');
    this.finish();
    return structuredClone(this.state);
  }

  /** Uploads the last part, completes the upload and removes the carries: only now does the object exist. */
  async complete(): Promise<{ sha256: string; bytes: number; eTag?: string }> {
    if (this.used > 0 || this.state.parts.length + this.inFlight.length === 0) await this.flushPart();
    await this.settle();
    this.finish();
    const sha256 = this.hasher.digest('hex');
    const out = await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.state.bucket,
        Key: this.state.key,
        UploadId: this.state.uploadId,
        MultipartUpload: { Parts: this.state.parts },
        // S3 refuses (412) when a file appeared under the key since plan() checked: never overwrite.
        IfNoneMatch: '*',
      }),
    );
    const eTag = out.ETag;
    await deleteCarries(this.s3, this.state.bucket, this.prefix);
    return { sha256, bytes: this.state.bytes, eTag };
  }
}

/**
 * The upload of a checkpoint that already completed (a commit retried after its answer was
 * lost): the object is there, written by this run, with the checkpoint's size; the
 * checkpoint's hash state already covers every byte, so its digest is the file's. Another
 * run's object under the same key (same object, same JST minute) does not count.
 */
export async function completedUpload(
  s3: S3Client,
  state: UploadState,
  runId: string,
): Promise<{ sha256: string; bytes: number; eTag?: string } | undefined> {
  if (!state.hashState) return undefined;
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: state.bucket, Key: state.key }))
    .catch((error: { name?: string }) => {
      if (error.name === 'NotFound' || error.name === 'NoSuchKey') return undefined;
      throw error;
    });
  if (!head || head.ContentLength !== state.bytes || head.Metadata?.[RUN_ID_METADATA] !== runId)
    return undefined;
  const hasher = await createSHA256();
  hasher.load(Buffer.from(state.hashState, 'base64'));
  return { sha256: hasher.digest('hex'), bytes: state.bytes, eTag: head.ETag };
}

/**
 * The run id recorded on the object already under `key` (null when it has none), or
 * undefined when there is no object: plan() refuses a key another run has written.
 */
export async function runOfExistingObject(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<string | null | undefined> {
  const head = await s3
    .send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
    .catch((error: { name?: string }) => {
      if (error.name === 'NotFound' || error.name === 'NoSuchKey') return undefined;
      throw error;
    });
  return head ? (head.Metadata?.[RUN_ID_METADATA] ?? null) : undefined;
}

/** Removes every carry of one object's run (checkpoints leave one per stop). */
export async function deleteCarries(s3: S3Client, bucket: string, prefix: string): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: object.Key! }));
      deleted++;
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return deleted;
}

/** Aborts the upload (its parts are discarded, no object appears) and deletes the carries. */
export async function abortUpload(
  s3: S3Client,
  state: Pick<UploadState, 'bucket' | 'key' | 'uploadId'>,
  prefix: string,
): Promise<void> {
  try {
    await s3.send(
      new AbortMultipartUploadCommand({ Bucket: state.bucket, Key: state.key, UploadId: state.uploadId }),
    );
  } catch (error) {
    if ((error as { name?: string }).name !== 'NoSuchUpload') throw error;
  }
  await deleteCarries(s3, state.bucket, prefix);
}
