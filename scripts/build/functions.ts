import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** A deployable function is a folder under functions/ with a handler.ts (shared/ is a library). */
export function discoverFunctions(root: string): string[] {
  const dir = join(root, 'functions');
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .filter((name) => existsSync(join(dir, name, 'handler.ts')))
    .sort();
}
