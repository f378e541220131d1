import { rmSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanUpOnSignal, StackStartError, startStack } from '../local/stack';

/**
 * Starts one embedded stack for the whole jest run (or reuses DATABASE_URL /
 * AWS_ENDPOINT_URL* when set) and publishes its endpoints through the environment,
 * which jest workers inherit.
 */
export default async function globalSetup(): Promise<void> {
  // Lambda runs nodejs24.x; a run on the machine's older Node would prove nothing.
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 24) {
    throw quiet(
      `Tests need Node 24 (found ${process.version}). Run them through npm (npm test / make test), ` +
        'which puts the pinned node@24 from node_modules/.bin first on PATH.',
    );
  }
  // Tests assert on results, not on log lines: the functions' JSON logs and EMF
  // metrics would bury jest's report. POWERTOOLS_LOG_LEVEL=DEBUG npm test shows them.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Files the tests write outside the stack (secrets files) live here, removed at teardown.
  const scratch = await mkdtemp(join(tmpdir(), 'pipelines-test-'));
  // Tests start servers in folders under it; as root PostgreSQL runs as `postgres`, which must enter them.
  await chmod(scratch, 0o755);
  process.env.PIPELINES_TEST_TMPDIR = scratch;
  // A command run without DynamoDB endpoints keeps the run ledger here, not in the repository's .local.
  process.env.PIPELINES_RUNS_LEDGER_DIR ??= join(scratch, 'runs-ledger');
  // Ctrl-C ends jest without its global teardown: the stack cleans up after itself
  // (cleanUpOnSignal), and this removes the scratch folder.
  const forgetScratch = cleanUpOnSignal(() =>
    rmSync(scratch, { recursive: true, force: true, maxRetries: 5 }),
  );
  (globalThis as { __PIPELINES_FORGET_SCRATCH__?: unknown }).__PIPELINES_FORGET_SCRATCH__ = forgetScratch;
  try {
    const stack = await startStack({ fast: true });
    (globalThis as { __PIPELINES_STACK__?: unknown }).__PIPELINES_STACK__ = stack;
    process.env.PIPELINES_TEST_DATABASE_URL = stack.databaseUrl;
    for (const [key, value] of Object.entries(stack.env)) {
      if (key !== 'DATABASE_URL') process.env[key] = value;
    }
  } catch (error) {
    forgetScratch();
    await rm(scratch, { recursive: true, force: true });
    if (error instanceof StackStartError) throw quiet(`The test stack did not start: ${error.message}`);
    throw error;
  }
}

/** An error jest reports as its message alone: the trace would point into this file, not at the cause. */
function quiet(message: string): Error {
  const error = new Error(message);
  error.stack = message;
  return error;
}
