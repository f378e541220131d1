import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const here = __dirname;

function run(command: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('rehearse.sh arguments', () => {
  it.each([
    [['dev', '--upgrade-from'], 'expected one environment'],
    [['dev', '--upgrade'], 'expected one environment'],
    [['stg', '--upgrade-from', 'HEAD'], 'expected one environment'],
    [['dev', '--upgrade-from', 'no-such-ref-w7'], 'no-such-ref-w7 is not a commit'],
  ])('%j exits 2 naming the problem', (args, message) => {
    const result = run('bash', [path.join(here, 'rehearse.sh'), ...args]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain('init');
  });
});

describe('tfjson.py upgrade', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'tfjson-upgrade-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function judge(resourceChanges: object[]): { status: number | null; stdout: string } {
    const file = path.join(dir, `plan-${resourceChanges.length}.json`);
    writeFileSync(file, JSON.stringify({ resource_changes: resourceChanges }));
    return run('python3', [path.join(here, 'tfjson.py'), 'upgrade', file]);
  }
  const change = (actions: string[], before: object | null = {}, after: object | null = {}) => ({
    actions,
    before,
    after,
  });

  it('lists moves and in-place updates without failing', () => {
    const result = judge([
      {
        address: 'module.a.module.rule.aws_cloudwatch_event_rule.this',
        previous_address: 'module.a.aws_cloudwatch_event_rule.schedule',
        mode: 'managed',
        type: 'aws_cloudwatch_event_rule',
        name: 'this',
        change: change(['no-op']),
      },
      {
        address: 'module.a.aws_iam_role.this',
        mode: 'managed',
        type: 'aws_iam_role',
        name: 'this',
        change: change(['update'], { tags: {} }, { tags: { a: 'b' } }),
      },
      {
        address: 'data.aws_region.current',
        mode: 'data',
        type: 'aws_region',
        name: 'current',
        change: change(['read']),
      },
      {
        address: 'module.a.aws_s3_bucket.kept',
        mode: 'managed',
        type: 'aws_s3_bucket',
        name: 'kept',
        change: change(['no-op']),
      },
    ]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /module\.a\.module\.rule\.aws_cloudwatch_event_rule\.this\s+move\s+from module\.a\.aws_cloudwatch_event_rule\.schedule/,
    );
    expect(result.stdout).toMatch(/module\.a\.aws_iam_role\.this\s+update\s+tags\n/);
    expect(result.stdout).not.toContain('aws_s3_bucket.kept');
    expect(result.stdout).toContain('planned: 1 move, 1 update');
  });

  it('fails on a delete or a replace, giving the reason and where the resource went', () => {
    const result = judge([
      {
        address: 'module.a.aws_dynamodb_table.runs',
        mode: 'managed',
        type: 'aws_dynamodb_table',
        name: 'runs',
        action_reason: 'delete_because_no_resource_config',
        change: change(['delete'], {}, null),
      },
      {
        address: 'module.a.module.table.aws_dynamodb_table.this',
        mode: 'managed',
        type: 'aws_dynamodb_table',
        name: 'this',
        change: change(['create'], null, {}),
      },
      {
        address: 'module.a.aws_sfn_state_machine.this',
        mode: 'managed',
        type: 'aws_sfn_state_machine',
        name: 'this',
        action_reason: 'replace_because_cannot_update',
        change: {
          ...change(['delete', 'create'], { name: 'old' }, { name: 'new' }),
          replace_paths: [['name']],
        },
      },
    ]);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('planned: 1 create, 1 delete, 1 replace');
    expect(result.stdout).toContain(
      'delete: module.a.aws_dynamodb_table.runs: no resource block at this address any more (a moved block missing?); created instead: module.a.module.table.aws_dynamodb_table.this',
    );
    expect(result.stdout).toContain(
      'replace: module.a.aws_sfn_state_machine.this: an argument that forces replacement changed; name: "old" -> "new"',
    );
  });
});
