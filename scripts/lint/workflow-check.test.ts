import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkWorkflow, unpinnedActions } from './workflow-check';

const repoRoot = path.resolve(__dirname, '..', '..');

describe('workflow check', () => {
  it.each(['ci.yml', 'terraform.yml'])('accepts .github/workflows/%s', (file) => {
    expect(checkWorkflow(readFileSync(path.join(repoRoot, '.github', 'workflows', file), 'utf8'))).toEqual(
      [],
    );
  });

  it('rejects a schema error (planted: job without runs-on, unknown key)', () => {
    const errors = checkWorkflow(`name: bad
on: push
jobs:
  build:
    stepz:
      - run: echo hi
`);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('rejects a needs: that names no job (planted)', () => {
    const errors = checkWorkflow(`name: bad
on: push
jobs:
  a:
    runs-on: ubuntu-24.04
    needs: missing
    steps:
      - run: echo hi
`);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('rejects actions pinned to a tag or branch (planted)', () => {
    expect(
      unpinnedActions(`    steps:
      - uses: actions/checkout@v5
      - uses: actions/setup-node@a0853c24544627f65ddf259abe73b1d18a591444 # v5.0.0
      - uses: ./local-action
      - uses: "hashicorp/setup-terraform@main"
`),
    ).toEqual([
      'line 2: actions/checkout@v5 is not pinned to a full commit SHA',
      'line 5: hashicorp/setup-terraform@main is not pinned to a full commit SHA',
    ]);
  });
});
