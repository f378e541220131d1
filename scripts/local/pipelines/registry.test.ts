import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../../../functions/shared/assets';
import { functionEnvironment, pipelineOf, pipelines } from '../pipelines';

/** The registry lists descriptors; descriptors never reach back into it. */
const dir = join(repositoryRoot(), 'scripts/local/pipelines');

it('has no import cycle: only the invoke helper, which no pipeline imports, uses the registry', () => {
  const importers = readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .filter((f) => /from '\.\.\/pipelines'/.test(readFileSync(join(dir, f), 'utf8')));
  expect(importers).toEqual(['invoke-function.ts']);
  const registry = readFileSync(join(repositoryRoot(), 'scripts/local/pipelines.ts'), 'utf8');
  expect(registry).not.toMatch(/invoke-function/);
});

it('names only functions that exist, each in one pipeline', () => {
  const all = Object.values(pipelines).flatMap((p) => p.functions);
  expect(new Set(all).size).toBe(all.length);
  for (const fn of all) expect(existsSync(join(repositoryRoot(), 'functions', fn, 'handler.ts'))).toBe(true);
});

it('registers each pipeline under its own name', () => {
  for (const [name, pipeline] of Object.entries(pipelines)) {
    expect(pipeline.name).toBe(name);
    expect(pipeline.command.usage).toBe(`npm run local -- ${name}`);
  }
});

it('gives a function the environment of its pipeline, with local names', () => {
  expect(pipelineOf('csv-validator')?.name).toBe('csv-processor');
  expect(functionEnvironment('csv-validator')).toMatchObject({
    OUTPUT_BUCKET: 'csv-processor-local-output-000000000000',
    FILE_CLAIMS_TABLE: 'csv-processor-local-files',
  });
  expect(functionEnvironment('sync-batch')).toMatchObject({ ARCHIVE_BUCKET: 'sync-batch-local-archive' });
  expect(functionEnvironment('no-such-function')).toEqual({});
});
