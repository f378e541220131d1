import type { LocalStack } from '../local/stack';

export default async function globalTeardown(): Promise<void> {
  const stack = (globalThis as { __PIPELINES_STACK__?: LocalStack }).__PIPELINES_STACK__;
  await stack?.stop();
}
