import type { Metafile, Plugin } from 'esbuild';

/**
 * Packages a function loads only with import() at run time, shipped as a file of their own beside
 * index.mjs instead of inside it. esbuild, without code splitting, inlines dynamically imported
 * code into the bundle, where V8 parses it at every cold start even though it runs only later:
 * the Powertools Tracer (aws-xray-sdk-core, ~126 KB) cost the csv functions ~6% of their load CPU
 * that way (`npm run bench -- cold-start`). General splitting is not an option: it would also
 * scatter the AWS SDK's own lazy imports into dozens of chunks, each a file read at the first call.
 *
 * A chunk is a self-contained bundle of the package (it repeats whatever it shares with index.mjs,
 * e.g. Powertools commons, since nothing of it is loaded before the import runs).
 */
export interface LazyChunk {
  /** The import() specifier as the function's code writes it. */
  specifier: string;
  /** The file in the zip, beside index.mjs; its map is `<file>.map`. */
  file: string;
}

export const LAZY_CHUNKS: readonly LazyChunk[] = [
  { specifier: '@aws-lambda-powertools/tracer', file: 'tracer.mjs' },
  // runs-api: only POST /runs/{pipeline} (a manual trigger) sends to EventBridge; the GET routes
  // and /health did parse the client at every cold start.
  { specifier: '@aws-sdk/client-eventbridge', file: 'eventbridge.mjs' },
];

/** How index.mjs refers to a chunk: relative to its own URL, so it loads from wherever the zip is unpacked. */
export function chunkSpecifier(chunk: LazyChunk): string {
  return `./${chunk.file}`;
}

/** The entry esbuild builds into the chunk: every export of the package. */
export function chunkEntrySource(chunk: LazyChunk): string {
  return `export * from ${JSON.stringify(chunk.specifier)};\n`;
}

/**
 * Turns each import() of a lazy-chunk package into an import of the chunk file (external, so the
 * package stays out of the bundle) and records in `used` which chunks the bundle needs. Static
 * imports are left alone: checkLazyChunks() refuses a bundle that has both.
 */
export function lazyChunkImports(used: Set<LazyChunk>, chunks: readonly LazyChunk[] = LAZY_CHUNKS): Plugin {
  const bySpecifier = new Map(chunks.map((chunk) => [chunk.specifier, chunk]));
  return {
    name: 'lazy-chunk-imports',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        const chunk = bySpecifier.get(args.path);
        if (!chunk || args.kind !== 'dynamic-import') return undefined;
        used.add(chunk);
        return { path: chunkSpecifier(chunk), external: true };
      });
    },
  };
}

export class ChunkError extends Error {
  override name = 'ChunkError';
}

/**
 * Refuses a bundle that also imports a chunk's package statically: it would carry the package
 * and load the chunk's second copy of it at the first call (two Tracers, two patched http modules).
 */
export function checkLazyChunks(fn: string, used: Set<LazyChunk>, metafile: Metafile): void {
  for (const chunk of used) {
    const inlined = Object.keys(metafile.inputs).find((input) =>
      input.includes(`node_modules/${chunk.specifier}/`),
    );
    if (inlined) {
      throw new ChunkError(
        `${fn}: ${chunk.specifier} is imported both with import() (built into ${chunk.file}) and ` +
          `statically (${inlined} is in index.mjs); import it one way only`,
      );
    }
  }
}

/**
 * The code files a zip holds for the bundle `index.mjs` (its text): index.mjs, every chunk it
 * imports, each with its source map. Read from the bundle itself, so a check of a built zip needs
 * nothing but the zip.
 */
export function codeFiles(bundle: string, chunks: readonly LazyChunk[] = LAZY_CHUNKS): string[] {
  const referenced = chunks.filter((chunk) => bundle.includes(JSON.stringify(chunkSpecifier(chunk))));
  return ['index.mjs', ...referenced.map((chunk) => chunk.file)].flatMap((file) => [file, `${file}.map`]);
}
