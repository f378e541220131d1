import { startStack } from '../local/stack';

/**
 * Starts one embedded stack for the whole jest run (or reuses DATABASE_URL /
 * AWS_ENDPOINT_URL* when set) and publishes its endpoints through the environment,
 * which jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  // Lambda runs nodejs24.x; a run on the machine's older Node would prove nothing.
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw new Error(
      `Tests need Node 24 (found ${process.version}). Run them through npm (npm test / make test), ` +
        'which puts the pinned node@24 from node_modules/.bin first on PATH.',
    );
  }
  const stack = await startStack({ fast: true });
  (globalThis as { __PIPELINES_STACK__?: unknown }).__PIPELINES_STACK__ = stack;
  process.env.PIPELINES_TEST_DATABASE_URL = stack.databaseUrl;
  for (const [key, value] of Object.entries(stack.env)) {
    if (key !== 'DATABASE_URL') process.env[key] = value;
  }
}
