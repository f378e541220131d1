import { isTransientS3Error, withRetry } from './retry';

function s3Error(name: string, status?: number): Error {
  return Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
}

describe('withRetry', () => {
  it('backs off exponentially with full jitter and stops at the first success', async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls += 1;
        if (calls < 4) throw s3Error('SlowDown', 503);
        return 'ok';
      },
      {
        attempts: 5,
        baseMs: 100,
        maxMs: 250,
        retryable: isTransientS3Error,
        random: () => 0.5,
        sleep: async (ms) => void delays.push(ms),
      },
    );
    expect(result).toBe('ok');
    // 0.5 × min(250, 100·2^n): 50, 100, 125.
    expect(delays).toEqual([50, 100, 125]);
  });

  it('gives up after the last attempt, and at once on a permanent error', async () => {
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(s3Error('NoSuchKey', 404));
    };
    await expect(
      withRetry(failing, {
        attempts: 3,
        baseMs: 1,
        maxMs: 1,
        retryable: isTransientS3Error,
        sleep: async () => undefined,
      }),
    ).rejects.toThrow('NoSuchKey');
    expect(calls).toBe(3);
    calls = 0;
    await expect(
      withRetry(
        () => {
          calls += 1;
          return Promise.reject(s3Error('AccessDenied', 403));
        },
        { attempts: 3, baseMs: 1, maxMs: 1, retryable: isTransientS3Error, sleep: async () => undefined },
      ),
    ).rejects.toThrow('AccessDenied');
    expect(calls).toBe(1);
  });

  it('classifies S3 errors: not yet visible, throttling, 5xx and network are transient', () => {
    expect(isTransientS3Error(s3Error('NoSuchKey', 404))).toBe(true);
    expect(isTransientS3Error(s3Error('SlowDown', 503))).toBe(true);
    expect(isTransientS3Error(s3Error('Whatever', 500))).toBe(true);
    expect(isTransientS3Error(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientS3Error(s3Error('AccessDenied', 403))).toBe(false);
    expect(isTransientS3Error('not an error')).toBe(false);
  });
});
