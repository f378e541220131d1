/**
 * `npm run build [-- <function> …]`: bundles every function under functions/ with
 * esbuild and writes dist/<function>.zip (index.mjs, its source map, and the data files
 * declared in functions/<function>/assets.ts, checked against what the bundle reads: see
 * assets.ts). Zips are reproducible, so Terraform's source_code_hash moves only
 * when code moves.
 */
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { assetsForBundle } from './assets';
import { discoverFunctions } from './functions';
import { bundleOptions } from './options';
import { formatTable } from '../lib/table';
import { writeReproducibleZip } from './zip';

const root = resolve(import.meta.dirname, '..', '..');
const distDir = join(root, 'dist');
const workDir = join(distDir, '.bundle');

export interface BuiltFunction {
  name: string;
  zipPath: string;
  zipBytes: number;
  bundleBytes: number;
  files: string[];
}

export async function buildFunction(name: string): Promise<BuiltFunction> {
  const outDir = join(workDir, name);
  await rm(outDir, { recursive: true, force: true });
  const result = await build({
    ...bundleOptions(root),
    entryPoints: [join('functions', name, 'handler.ts')],
    outfile: join(outDir, 'index.mjs'),
  });
  const bundle = await readFile(join(outDir, 'index.mjs'));
  const map = await readFile(join(outDir, 'index.mjs.map'));
  const dataFiles = assetsForBundle(root, name, Object.keys(result.metafile.inputs));
  const entries = [
    { name: 'index.mjs', data: bundle },
    { name: 'index.mjs.map', data: map },
    ...(await Promise.all(
      dataFiles.map(async (rel) => ({ name: rel, data: await readFile(join(root, 'functions', rel)) })),
    )),
  ];
  const zipPath = join(distDir, `${name}.zip`);
  await writeReproducibleZip(zipPath, entries);
  const { size } = await stat(zipPath);
  return { name, zipPath, zipBytes: size, bundleBytes: bundle.length, files: entries.map((e) => e.name) };
}

async function main(argv: string[]): Promise<void> {
  const all = discoverFunctions(root);
  const unknown = argv.filter((a) => !all.includes(a));
  if (unknown.length) throw new Error(`Unknown function(s): ${unknown.join(', ')}. Known: ${all.join(', ')}`);
  const names = argv.length ? argv : all;
  await mkdir(distDir, { recursive: true });
  const built: BuiltFunction[] = [];
  // One at a time: esbuild already uses every core for a single bundle.
  for (const name of names) built.push(await buildFunction(name));
  await rm(workDir, { recursive: true, force: true });
  const rows = built.map((b) => [b.name, String(b.zipBytes), String(b.bundleBytes), String(b.files.length)]);
  process.stdout.write(`${formatTable(['function', 'zip bytes', 'bundle bytes', 'files'], rows)}\n`);
  if (!names.length) process.stdout.write('No functions found under functions/.\n');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
