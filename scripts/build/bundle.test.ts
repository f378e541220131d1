import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repositoryRoot } from '../../functions/shared/assets';
import { bundleOptions } from './options';

/**
 * Bundles an entry that touches every library known to require() at run time and
 * imports the built file in a fresh Node process, as Lambda does. Without the
 * createRequire banner this fails with "Dynamic require of … is not supported".
 */
describe('Lambda bundle', () => {
  const root = repositoryRoot();
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('loads as ESM with pg, Powertools Tracer and the YouTube client inside', async () => {
    const contents = [
      "import pg from 'pg';",
      "import { Tracer } from '@aws-lambda-powertools/tracer';",
      "import { youtube } from '@googleapis/youtube';",
      `import { createObservability } from ${JSON.stringify(join(root, 'functions/shared/observability'))};`,
      'export const handler = async () => {',
      '  const { logger } = createObservability({ serviceName: "bundle-test", namespace: "test" });',
      '  new Tracer({ serviceName: "bundle-test" });',
      '  const client = youtube({ version: "v3", auth: "key" });',
      '  logger.info("loaded");',
      '  return { pool: typeof new pg.Pool().query, youtube: typeof client.videos.list };',
      '};',
    ].join('\n');
    // Resolved from the repository so node_modules is found; written outside it.
    await build({
      ...bundleOptions(root),
      stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'bundle-test-entry.ts' },
      outfile: join(dir, 'index.mjs'),
    });
    const script = `const m = await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(JSON.stringify(await m.handler()));`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, AWS_LAMBDA_FUNCTION_NAME: 'bundle-test', POWERTOOLS_TRACE_ENABLED: 'false' },
    });
    expect(run.stderr).not.toMatch(/Dynamic require/);
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ pool: 'function', youtube: 'function' });
  }, 120_000);
});
