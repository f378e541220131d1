/**
 * `npm run build [-- <function> …]`: bundles every function under functions/ with
 * esbuild and writes dist/<function>.zip (index.mjs, the lazily imported packages it loads
 * as files of their own (chunks.ts), their source maps, and the data files declared in
 * functions/<function>/assets.ts, checked against what the bundle reads: see assets.ts). Zips
 * are reproducible, so Terraform's source_code_hash moves only when code moves.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildFunction, type BuiltFunction } from './function-zip';
import { discoverFunctions } from './functions';
import { formatTable } from '../lib/table';

const root = resolve(import.meta.dirname, '..', '..');
const distDir = join(root, 'dist');
const workDir = join(distDir, '.bundle');

async function main(argv: string[]): Promise<void> {
  const all = discoverFunctions(root);
  const unknown = argv.filter((a) => !all.includes(a));
  if (unknown.length) throw new Error(`Unknown function(s): ${unknown.join(', ')}. Known: ${all.join(', ')}`);
  const names = argv.length ? argv : all;
  await mkdir(distDir, { recursive: true });
  const built: BuiltFunction[] = [];
  // One at a time: esbuild already uses every core for a single bundle.
  for (const name of names) built.push(await buildFunction(root, name, { distDir, workDir }));
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
