import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A deployable function is a folder under functions/ with a handler.ts (shared/ is a library). */
export function discoverFunctions(root: string): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .filter((name) => existsSync(join(dir, name, 'handler.ts')))
    .sort();
}

const DATA_FILE = /\.(sql|asl\.json|pem)$/;
const NOT_SHIPPED = /(^|\/)(events|__fixtures__|fixtures|__tests__|node_modules)(\/|$)|\.test\.ts$/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/**
 * Data files a bundle needs at run time: the SQL, ASL and certificate files of every
 * functions/<folder> whose code the bundle contains, keyed by their path under
 * functions/ (the same path assetPath() resolves in the zip).
 */
export function dataFilesFor(root: string, bundledInputs: string[]): string[] {
  const folders = new Set<string>();
  for (const input of bundledInputs) {
    const parts = input.split(/[\\/]/);
    if (parts[0] === 'functions' && parts[1]) folders.add(parts[1]);
  }
  const files: string[] = [];
  for (const folder of [...folders].sort()) {
    for (const path of walk(join(root, 'functions', folder))) {
      const rel = relative(join(root, 'functions'), path).split(sep).join('/');
      if (DATA_FILE.test(rel) && !NOT_SHIPPED.test(rel)) files.push(rel);
    }
  }
  return files.sort();
}
