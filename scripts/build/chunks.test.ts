import { build } from 'esbuild';
import { repositoryRoot } from '../../functions/shared/assets';
import {
  checkLazyChunks,
  ChunkError,
  codeFiles,
  lazyChunkImports,
  LAZY_CHUNKS,
  type LazyChunk,
} from './chunks';
import { bundleOptions } from './options';

/** Bundles `contents` as a function's code would be, with the chunk plugin; nothing is written. */
async function bundle(contents: string) {
  const root = repositoryRoot();
  const options = bundleOptions(root);
  const used = new Set<LazyChunk>();
  const result = await build({
    ...options,
    plugins: [...(options.plugins ?? []), lazyChunkImports(used)],
    stdin: { contents, resolveDir: root, sourcefile: 'chunks-test-entry.ts', loader: 'ts' },
    outfile: '/chunks-test/index.mjs',
    write: false,
  });
  const text = result.outputFiles.find((f) => f.path.endsWith('index.mjs'))!.text;
  return { used, metafile: result.metafile, text };
}

const tracer = LAZY_CHUNKS.find((c) => c.specifier === '@aws-lambda-powertools/tracer')!;

describe('lazy chunks', () => {
  it('turns import() of the Tracer into an import of tracer.mjs and leaves the package out of the bundle', async () => {
    const { used, metafile, text } = await bundle(
      "export const load = () => import('@aws-lambda-powertools/tracer');",
    );
    expect([...used]).toEqual([tracer]);
    expect(text).toContain('import("./tracer.mjs")');
    expect(Object.keys(metafile.inputs).filter((input) => input.includes('aws-xray-sdk'))).toEqual([]);
    expect(codeFiles(text)).toEqual(['index.mjs', 'index.mjs.map', 'tracer.mjs', 'tracer.mjs.map']);
    expect(() => checkLazyChunks('fn', used, metafile)).not.toThrow();
  }, 60_000);

  it('bundles a static import as before, and the zip then has no chunk', async () => {
    const { used, text } = await bundle(
      "import { Tracer } from '@aws-lambda-powertools/tracer'; export const make = () => new Tracer();",
    );
    expect(used.size).toBe(0);
    expect(text).toContain('AWS_XRAY_DAEMON_ADDRESS');
    expect(codeFiles(text)).toEqual(['index.mjs', 'index.mjs.map']);
  }, 60_000);

  it('refuses a bundle that imports the Tracer both statically and with import()', async () => {
    const { used, metafile } = await bundle(
      [
        "import { Tracer } from '@aws-lambda-powertools/tracer';",
        'export const make = () => new Tracer();',
        "export const load = () => import('@aws-lambda-powertools/tracer');",
      ].join('\n'),
    );
    expect(() => checkLazyChunks('csv-demo', used, metafile)).toThrow(ChunkError);
    expect(() => checkLazyChunks('csv-demo', used, metafile)).toThrow(
      /^csv-demo: @aws-lambda-powertools\/tracer is imported both with import\(\) \(built into tracer\.mjs\) and statically/,
    );
  }, 60_000);
});
