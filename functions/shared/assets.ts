import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Locates a data file (SQL, ASL) that a function ships. In Lambda the build puts
 * it in the zip under the same path relative to functions/ (e.g.
 * `csv-processor/sql/upsert.sql`); locally it is read from the source tree, so the
 * file tests run is the file that is deployed.
 */
export function assetPath(pathUnderFunctions: string): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) {
    const packaged = join(taskRoot, pathUnderFunctions);
    if (existsSync(packaged)) return packaged;
  }
  return join(repositoryRoot(), 'functions', pathUnderFunctions);
}

let root: string | undefined;
export function repositoryRoot(): string {
  if (root) return root;
  let dir = resolve(process.cwd());
  for (;;) {
    if (existsSync(join(dir, 'functions', 'shared')) && existsSync(join(dir, 'package.json'))) {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No repository root above ${process.cwd()}`);
    dir = parent;
  }
}
