import type { BuildOptions } from 'esbuild';

/**
 * pg, Tracer (aws-xray-sdk-core) and @googleapis/youtube call require() at run time;
 * an ESM bundle has no require unless one is made from import.meta.url.
 */
export const REQUIRE_BANNER = [
  "import { createRequire as __pipelinesCreateRequire } from 'node:module';",
  'const require = __pipelinesCreateRequire(import.meta.url);',
].join('\n');

/** esbuild settings for every Lambda bundle (nodejs24.x, arm64, ESM). */
export function bundleOptions(root: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    // Linked maps without sources: large maps made the first err.stack ~100x slower.
    sourcemap: 'linked',
    sourcesContent: false,
    // ESM entry points of the SDK tree-shake far better than its CJS builds.
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    // pg tries the optional native binding; it is never installed.
    external: ['pg-native'],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}
