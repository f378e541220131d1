import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';

/**
 * `npm run local -- <args>` as a child process (tsx, from the repository root, with `env`), for
 * tests that signal it or read its output while it runs; `output()` is what it printed so far.
 */
export function startLocalCli(args: string[], env: NodeJS.ProcessEnv) {
  const root = repositoryRoot();
  const child = spawn(join(root, 'node_modules/.bin/tsx'), ['scripts/local/cli.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}
