/**
 * Validates every GitHub Actions workflow (.github/workflows/*.yml|yaml) offline
 * (see workflow-check.ts). Exits 1 on any error.
 *
 *   npm run lint:workflows            # all workflows
 *   tsx scripts/lint/workflows.ts FILE...
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkWorkflow } from './workflow-check.js';

const repoRoot = path.resolve(import.meta.dirname, '..', '..');
const workflowsDir = path.join(repoRoot, '.github', 'workflows');

function main(argv: string[]): number {
  const files =
    argv.length > 0
      ? argv.map((f) => path.resolve(f))
      : existsSync(workflowsDir)
        ? readdirSync(workflowsDir)
            .filter((f) => /\.ya?ml$/.test(f))
            .sort()
            .map((f) => path.join(workflowsDir, f))
        : [];
  if (files.length === 0) {
    console.error('lint:workflows: no workflow files found');
    return 1;
  }
  let failed = 0;
  for (const file of files) {
    const rel = path.relative(repoRoot, file);
    const errors = checkWorkflow(readFileSync(file, 'utf8'));
    if (errors.length > 0) {
      failed += 1;
      for (const e of errors) console.error(`${rel}: ${e}`);
    } else {
      console.log(`${rel}: ok`);
    }
  }
  console.log(`lint:workflows: ${files.length} file(s), ${failed} with errors`);
  return failed > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
