import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReproducibleZip } from '../build/zip';
import { invokeDistHandler, loadDistHandler, type DistHandler } from './dist-handler';

/**
 * The loader against small zips written here (the artifact test runs it on the real dist/ zips):
 * what the function sees (task root, cwd, environment, context), what the caller gets back
 * (JSON, named errors), and the Lambda lifecycle (warm reuse, scale-out, timeout, crash).
 */
const INDEX = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
let invocations = 0;
export const handler = async (event, context) => {
  invocations++;
  switch (event.action) {
    case 'asset':
      return { text: readFileSync(join(process.env.LAMBDA_TASK_ROOT, 'fn/data.txt'), 'utf8'), cwd: process.cwd() };
    case 'env':
      return {
        foo: process.env.FOO ?? null, leak: process.env.PIPELINES_DIST_TEST_LEAK ?? null,
        name: process.env.AWS_LAMBDA_FUNCTION_NAME, tz: process.env.TZ, nodeOptions: process.env.NODE_OPTIONS,
        remaining: context.getRemainingTimeInMillis(), requestId: context.awsRequestId,
        invocations, pid: process.pid, at: new Date(0), missing: undefined,
      };
    case 'throw': {
      const error = new Error('line 3 is not a number');
      error.name = 'InputValidationError';
      error.details = { line: 3 };
      throw error;
    }
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.ms));
      return { pid: process.pid };
    case 'exit':
      process.exit(3);
  }
  return undefined;
};
`;

describe('loadDistHandler / invokeDistHandler', () => {
  const dist = mkdtempSync(join(tmpdir(), 'dist-handler-test-'));
  const handlers: DistHandler[] = [];
  beforeAll(async () => {
    await writeReproducibleZip(join(dist, 'fn.zip'), [
      { name: 'index.mjs', data: Buffer.from(INDEX) },
      { name: 'fn/data.txt', data: Buffer.from('packaged') },
    ]);
    await writeReproducibleZip(join(dist, 'broken.zip'), [
      {
        name: 'index.mjs',
        data: Buffer.from("throw new TypeError('OUTPUT_BUCKET is required but not set');"),
      },
    ]);
  });
  afterAll(async () => {
    await Promise.all(handlers.map((h) => h.close()));
    rmSync(dist, { recursive: true, force: true });
  });
  const load = async (options: Parameters<typeof loadDistHandler>[1] = {}) => {
    const handler = await loadDistHandler('fn', { distDir: dist, onLog: () => undefined, ...options });
    handlers.push(handler);
    return handler;
  };

  it('runs the bundle from its unpacked zip, with only the given environment and what Lambda sets', async () => {
    process.env.PIPELINES_DIST_TEST_LEAK = 'caller';
    try {
      const fn = await load({ env: { FOO: 'bar' } });
      expect(await fn.invoke({ action: 'asset' })).toEqual({ text: 'packaged', cwd: fn.taskRoot });
      const seen = await fn.invoke<Record<string, unknown>>({ action: 'env' }, { awsRequestId: 'req-1' });
      expect(seen).toEqual({
        foo: 'bar',
        leak: null,
        name: 'fn-local',
        tz: 'UTC',
        nodeOptions: '--enable-source-maps',
        remaining: expect.any(Number),
        requestId: 'req-1',
        invocations: 2,
        pid: expect.any(Number),
        // JSON out, as the runtime serializes a result.
        at: '1970-01-01T00:00:00.000Z',
      });
      expect(seen.remaining as number).toBeGreaterThan(290_000);
      expect(seen.pid).not.toBe(process.pid);
      // A handler that returns nothing answers null, as the runtime does.
      expect(await fn.invoke({})).toBeNull();
    } finally {
      delete process.env.PIPELINES_DIST_TEST_LEAK;
    }
  });

  it('unpacks a zip once per content hash, or into a fresh directory on request', async () => {
    const a = await load();
    const b = await load();
    expect(a.taskRoot).toBe(b.taskRoot);
    expect(a.taskRoot).toContain(a.zipSha256.slice(0, 16));
    const fresh = join(dist, 'fresh');
    expect((await load({ extractTo: fresh })).taskRoot).toBe(fresh);
    const full = join(dist, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'x'), '');
    await expect(loadDistHandler('fn', { distDir: dist, extractTo: full })).rejects.toThrow(/is not empty/);
    await expect(loadDistHandler('nope', { distDir: dist })).rejects.toThrow(
      /nope\.zip does not exist: run `npm run build` first/,
    );
  });

  it('hands back the thrown error by name, with its fields, as Step Functions would match it', async () => {
    const fn = await load();
    const error = await fn.invoke({ action: 'throw' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'InputValidationError',
      errorType: 'InputValidationError',
      message: 'line 3 is not a number',
      details: { line: 3 },
      fn: 'fn',
    });
  });

  it('reuses a warm environment, and starts another for a concurrent invocation', async () => {
    const fn = await load({ maxEnvironments: 2 });
    const warm = await fn.invoke<{ pid: number }>({ action: 'sleep', ms: 1 });
    expect((await fn.invoke<{ pid: number }>({ action: 'sleep', ms: 1 })).pid).toBe(warm.pid);
    const [x, y, z] = await Promise.all([
      fn.invoke<{ pid: number }>({ action: 'sleep', ms: 300 }),
      fn.invoke<{ pid: number }>({ action: 'sleep', ms: 300 }),
      fn.invoke<{ pid: number }>({ action: 'sleep', ms: 1 }),
    ]);
    expect(x.pid).not.toBe(y.pid);
    // At most two environments: the third waited for one of them.
    expect([x.pid, y.pid]).toContain(z.pid);
  });

  it('times an invocation out and crashes as Lambda reports them; the next call gets a fresh environment', async () => {
    const fn = await load({ timeoutMs: 200 });
    const before = await fn.invoke<{ pid: number }>({ action: 'sleep', ms: 1 });
    await expect(fn.invoke({ action: 'sleep', ms: 5_000 })).rejects.toMatchObject({
      name: 'Sandbox.Timedout',
      message: 'Task timed out after 0.20 seconds',
    });
    const after = await fn.invoke<{ pid: number }>({ action: 'sleep', ms: 1 });
    expect(after.pid).not.toBe(before.pid);
    await expect(fn.invoke({ action: 'exit' })).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: 'fn exited during the invocation (code 3)',
    });
    expect(await fn.invoke({ action: 'sleep', ms: 1 })).toEqual({ pid: expect.any(Number) });
  });

  it('fails to load when the bundle fails at init, naming the error', async () => {
    await expect(loadDistHandler('broken', { distDir: dist, onLog: () => undefined })).rejects.toMatchObject({
      name: 'TypeError',
      message: 'OUTPUT_BUCKET is required but not set',
    });
  });

  it('invokes once, cold, and stops the environment', async () => {
    expect(await invokeDistHandler('fn', { action: 'asset' }, {}, { distDir: dist })).toMatchObject({
      text: 'packaged',
    });
  });
});
