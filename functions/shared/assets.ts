import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Locates a data file (SQL) that a function ships. In Lambda (LAMBDA_TASK_ROOT set) it is the
 * packaged copy, under the same path relative to functions/ (e.g.
 * `csv-processor/sql/apply-batch.sql`), and only that: a file missing from the zip must fail
 * here, not be found in a repository that does not exist in Lambda. Without LAMBDA_TASK_ROOT it
 * is the source file, so tests run the SQL that is deployed.
 *
 * The build reads every call's argument (scripts/build/assets.ts): pass a string or template
 * literal, and declare the file in functions/<fn>/assets.ts.
 */
export function assetPath(pathUnderFunctions: string): string {
  const taskRoot = process.env.LAMBDA_TASK_ROOT;
  if (taskRoot) return join(taskRoot, pathUnderFunctions);
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
