import * as z from 'zod/mini';
import { getSecretJson } from './secrets';
import { createObservability } from './observability';
import { putLocalSecret } from '../../scripts/testing/stack';

const ApiSecret = z.object({ apiKey: z.string().check(z.minLength(10)) });
const SECRET_VALUE = 'AIzaSy-very-secret-value-123';

/** Captures everything written to stdout/stderr while `work` runs. */
async function captureOutput(work: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  try {
    await work().catch((error: unknown) => chunks.push(String((error as Error).message)));
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return chunks.join('');
}

describe('secrets', () => {
  beforeAll(async () => {
    await putLocalSecret('youtube/api-key', { apiKey: SECRET_VALUE });
    await putLocalSecret('broken', { apiKey: 'short' });
  });

  it('reads and validates a JSON secret from the local secrets file', async () => {
    await expect(getSecretJson('youtube/api-key', ApiSecret)).resolves.toEqual({ apiKey: SECRET_VALUE });
  });

  it('names a missing secret without exposing anything', async () => {
    await expect(getSecretJson('nope', ApiSecret)).rejects.toThrow(
      /Secret "nope" is not in the local secrets file/,
    );
  });

  it('reports a malformed secret by key, never by value', async () => {
    await expect(getSecretJson('broken', ApiSecret)).rejects.toThrow(
      'Secret "broken" has an unexpected shape (check: apiKey)',
    );
  });

  it('never writes secret values to the logs, even at DEBUG', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    const { logger } = createObservability({ serviceName: 'secret-test', namespace: 'test' });
    const output = await captureOutput(async () => {
      logger.debug('fetching secret', { secretId: 'youtube/api-key' });
      const secret = await getSecretJson('youtube/api-key', ApiSecret);
      logger.info('secret loaded', { keys: Object.keys(secret) });
      await getSecretJson('broken', ApiSecret).catch((error: unknown) =>
        logger.error('bad secret', error as Error),
      );
    });
    delete process.env.POWERTOOLS_LOG_LEVEL;
    expect(output).toContain('secret loaded');
    expect(output).toContain('youtube/api-key');
    expect(output).not.toContain(SECRET_VALUE);
    expect(output).not.toContain('short');
  });
});
