import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';
import { assetsForBundle } from './assets';
import { checkLazyChunks, chunkEntrySource, codeFiles, lazyChunkImports, type LazyChunk } from './chunks';
import { bundleOptions } from './options';
import { writeReproducibleZip } from './zip';

export interface BuiltFunction {
  name: string;
  zipPath: string;
  zipBytes: number;
  bundleBytes: number;
  files: string[];
}

export interface BuildDirs {
  /** Where <function>.zip is written. */
  distDir: string;
  /** Scratch space for esbuild's output, <workDir>/<function>/. */
  workDir: string;
}

export async function buildFunction(root: string, name: string, dirs: BuildDirs): Promise<BuiltFunction> {
  const outDir = join(dirs.workDir, name);
  await rm(outDir, { recursive: true, force: true });
  const options = bundleOptions(root);
  const chunks = new Set<LazyChunk>();
  const result = await build({
    ...options,
    plugins: [...(options.plugins ?? []), lazyChunkImports(chunks)],
    entryPoints: [join('functions', name, 'handler.ts')],
    outfile: join(outDir, 'index.mjs'),
  });
  checkLazyChunks(name, chunks, result.metafile);
  // Sorted: the build order, and so any output that depends on it, never varies.
  for (const chunk of [...chunks].sort((a, b) => a.file.localeCompare(b.file))) {
    await build({
      ...options,
      stdin: { contents: chunkEntrySource(chunk), resolveDir: root, sourcefile: chunk.file, loader: 'js' },
      outfile: join(outDir, chunk.file),
    });
  }
  const bundle = await readFile(join(outDir, 'index.mjs'));
  const code = codeFiles(bundle.toString('utf8'));
  const built = [...chunks].flatMap((chunk) => [chunk.file, `${chunk.file}.map`]);
  const unreferenced = built.filter((file) => !code.includes(file));
  if (unreferenced.length) {
    throw new Error(`${name}: built ${unreferenced.join(', ')}, but index.mjs does not import it`);
  }
  const dataFiles = assetsForBundle(root, name, Object.keys(result.metafile.inputs));
  const entries = [
    ...(await Promise.all(
      code.map(async (file) => ({ name: file, data: await readFile(join(outDir, file)) })),
    )),
    ...(await Promise.all(
      dataFiles.map(async (rel) => ({ name: rel, data: await readFile(join(root, 'functions', rel)) })),
    )),
  ];
  const zipPath = join(dirs.distDir, `${name}.zip`);
  await mkdir(dirs.distDir, { recursive: true });
  await writeReproducibleZip(zipPath, entries);
  const { size } = await stat(zipPath);
  return { name, zipPath, zipBytes: size, bundleBytes: bundle.length, files: entries.map((e) => e.name) };
}
