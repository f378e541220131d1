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
