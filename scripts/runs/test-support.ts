import { withEnv } from '../local/pipelines/runner';
import { runRuns } from './commands';

/**
 * `npm run runs -- <argv>` in this process with `env` set for the call only (undefined unsets);
 * the exit code and what went to each stream, so tests assert on what a person would see.
 */
export async function runsCaptured(argv: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await withEnv(env, () =>
    runRuns(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }),
  );
  return { code, stdout, stderr };
}
