import { rm } from 'node:fs/promises';
import type { LocalStack } from '../local/stack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __PIPELINES_STACK__?: LocalStack }).__PIPELINES_STACK__;
  (globalThis as { __PIPELINES_FORGET_SCRATCH__?: () => void }).__PIPELINES_FORGET_SCRATCH__?.();
  try {
    await stack?.stop();
  } finally {
    const scratch = process.env.PIPELINES_TEST_TMPDIR;
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
