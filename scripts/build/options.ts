import { builtinModules } from 'node:module';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * pg, Tracer (aws-xray-sdk-core) and @googleapis/youtube call require() at run time;
 * an ESM bundle has no require unless one is made from import.meta.url.
 */
export const REQUIRE_BANNER = [
  "import { createRequire as __pipelinesCreateRequire } from 'node:module';",
  'const require = __pipelinesCreateRequire(import.meta.url);',
].join('\n');

const BUILTIN = new RegExp(`^(node:)?(${builtinModules.map((m) => m.replace(/[/.]/g, '\\$&')).join('|')})$`);

/**
 * Loads Node built-ins with require() instead of `import` (static or dynamic). An ESM import of a
 * built-in builds a facade that reads every export, and node:http's lazy getters
 * then load the whole bundled undici: about 80 ms of every cold start, measured
 * with `npm run bench -- cold-start`. require() hands back the exports object as is.
 */
export const builtinsViaRequire: Plugin = {
  name: 'builtins-via-require',
  setup(build) {
    build.onResolve({ filter: BUILTIN }, (args) =>
      args.kind === 'import-statement' || args.kind === 'dynamic-import'
        ? { path: args.path, namespace: 'builtin-require' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'builtin-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

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
    plugins: [builtinsViaRequire],
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  };
}
