import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { build, type BuildOptions } from 'esbuild';
import { REQUIRE_BANNER } from '../build/options';

/**
 * Bundles a benchmark's child script the way a Lambda bundle is built (one minified ESM file for
 * node24), so what a child process measures is the code that ships, not ts-node or jest.
 * `requireBanner` gives the bundle a require() for dependencies that call it at run time (pg, the SDK's CJS parts).
 */
export async function bundleBenchChild(
  outfile: string,
  source: Pick<BuildOptions, 'entryPoints' | 'stdin'>,
  { requireBanner = true }: { requireBanner?: boolean } = {},
): Promise<string> {
  await build({
    ...source,
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    logLevel: 'silent',
    ...(requireBanner ? { banner: { js: REQUIRE_BANNER } } : {}),
  });
  return outfile;
}

/**
 * Runs a bundled child in its own Node process (so its peak RSS is its own) with only the
 * given environment, quiet Powertools and `nodeOptions`; returns the JSON on its last stdout line.
 */
export async function runBenchChild<T>(
  file: string,
  args: string[],
  { env, nodeOptions, cwd }: { env: Record<string, string>; nodeOptions: string; cwd?: string },
): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [file, ...args], {
    ...(cwd ? { cwd } : {}),
    env: {
      ...env,
      PATH: process.env.PATH ?? '',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
      NODE_OPTIONS: nodeOptions,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T;
}
