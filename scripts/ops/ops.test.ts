import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The operator scripts run against a fake `aws` on a PATH that holds nothing else
 * but the few tools they need, so no real AWS CLI (this machine has v1) or account
 * is ever involved. The fake records its arguments and answers as told.
 */
const opsDir = resolve(__dirname);
const V2 = 'aws-cli/2.27.50 Python/3.13.4 Linux/6.8.0 exe/x86_64.ubuntu.24';
const V1 = 'aws-cli/1.45.11 Python/3.11.7 Linux/6.18.44 botocore/1.43.11';

function which(tool: string): string {
  const found = spawnSync('bash', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error(`${tool} is needed to run these tests`);
  return found;
}

interface FakeAws {
  /** aws --version output; undefined means no aws on PATH at all. */
  version?: string;
  /** What every other call prints, and its exit status. */
  response?: string;
  exitCode?: number;
  /** Answers of particular calls, by "<service> <command>" (e.g. "ec2 describe-instances"). */
  answers?: Record<string, { out: string; exitCode?: number }>;
  /** Whether the Session Manager plugin is on PATH. */
  plugin?: boolean;
}

let dir: string;
let bin: string;
let calls: string;

function setUp(fake: FakeAws): void {
  rmSync(bin, { recursive: true, force: true });
  mkdirSync(bin, { recursive: true });
  for (const tool of ['bash', 'jq', 'dirname', 'head', 'cat']) symlinkSync(which(tool), join(bin, tool));
  if (fake.plugin) {
    writeFileSync(join(bin, 'session-manager-plugin'), '#!/bin/bash\n');
    chmodSync(join(bin, 'session-manager-plugin'), 0o755);
  }
  if (fake.version === undefined) return;
  writeFileSync(join(dir, 'response.json'), fake.response ?? '');
  const answers = Object.entries(fake.answers ?? {}).map(([call, answer], i) => {
    const file = join(dir, `answer-${i}.txt`);
    writeFileSync(file, answer.out);
    return `  ${JSON.stringify(call)}) cat ${JSON.stringify(file)}; exit ${answer.exitCode ?? 0} ;;`;
  });
  writeFileSync(
    join(bin, 'aws'),
    [
      '#!/bin/bash',
      // One line per call, arguments separated by a unit separator (JSON never holds one).
      `(IFS=$'\\x1f'; printf '%s\\n' "$*") >> ${JSON.stringify(calls)}`,
      `if [[ "$1" == --version ]]; then echo ${JSON.stringify(fake.version)}; exit 0; fi`,
      'case "$1 $2" in',
      ...answers,
      'esac',
      `cat ${JSON.stringify(join(dir, 'response.json'))}`,
      `exit ${fake.exitCode ?? 0}`,
      '',
    ].join('\n'),
  );
  chmodSync(join(bin, 'aws'), 0o755);
}

function run(command: string[], fake: FakeAws) {
  writeFileSync(calls, '');
  setUp(fake);
  const result = spawnSync(join(bin, 'bash'), command, {
    encoding: 'utf8',
    env: { PATH: bin, HOME: dir },
  });
  const recorded = readFileSync(calls, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split('\x1f'));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls: recorded };
}

const trigger = (args: string[], fake: FakeAws) => run([join(opsDir, 'trigger.sh'), ...args], fake);

const accepted = JSON.stringify({
  FailedEntryCount: 0,
  Entries: [{ EventId: '11710aed-b79e-4468-a20b-bb3c0c3b4860' }],
});
// What EventBridge answers for an entry without Detail; the CLI still exits 0.
const refused = JSON.stringify({
  FailedEntryCount: 1,
  Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }],
});

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ops-test-'));
  bin = join(dir, 'bin');
  calls = join(dir, 'calls.txt');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/ops/trigger.sh', () => {
  it('sends one manual-trigger entry whose Detail names the environment', () => {
    const result = trigger(['batch-scheduler', 'dev'], { version: V2, response: accepted });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(accepted));
    const putEvents = result.calls.find((args) => args[0] === 'events')!;
    expect(putEvents.slice(0, 3)).toEqual(['events', 'put-events', '--entries']);
    expect(JSON.parse(putEvents[3]!)).toEqual([
      { Source: 'batch-scheduler', DetailType: 'manual-trigger', Detail: '{"environment":"dev"}' },
    ]);
  });

  it('merges an extra detail, the environment argument winning', () => {
    const result = trigger(['batch-scheduler', 'prd', '{"channelIds":["UC1"],"environment":"dev"}'], {
      version: V2,
      response: accepted,
    });
    expect(result.status).toBe(0);
    const entries = JSON.parse(result.calls.find((args) => args[0] === 'events')![3]!);
    expect(JSON.parse(entries[0].Detail)).toEqual({ channelIds: ['UC1'], environment: 'prd' });
  });

  it('exits 1 and names the error when EventBridge refuses the entry, although the CLI exited 0', () => {
    const result = trigger(['batch-scheduler', 'prd'], { version: V2, response: refused });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/refused the event \(FailedEntryCount 1\)/);
    expect(result.stderr).toMatch(/MalformedDetail: Detail is malformed\./);
  });

  it('exits 1 when the CLI itself fails or answers something unexpected', () => {
    expect(trigger(['batch-scheduler', 'prd'], { version: V2, response: '', exitCode: 255 }).status).toBe(1);
    const odd = trigger(['batch-scheduler', 'prd'], { version: V2, response: '{"Entries":[]}' });
    expect(odd.status).toBe(1);
    expect(odd.stderr).toMatch(/no FailedEntryCount/);
  });

  it('refuses wrong arguments with usage and exit 2, sending nothing', () => {
    for (const args of [[], ['batch-scheduler'], ['batch-scheduler', 'staging'], ['Bad Source', 'dev']]) {
      const result = trigger(args, { version: V2, response: accepted });
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(/^usage: /);
      expect(result.calls).toEqual([]);
    }
    const notObject = trigger(['batch-scheduler', 'dev', '["UC1"]'], { version: V2, response: accepted });
    expect(notObject.status).toBe(2);
    expect(notObject.stderr).toMatch(/must be a JSON object/);
    expect(notObject.calls.filter((args) => args[0] === 'events')).toEqual([]);
  });

  it('stops before sending anything when the AWS CLI is v1', () => {
    const result = trigger(['batch-scheduler', 'dev'], { version: V1, response: accepted });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/AWS CLI v2 is required, but .*aws is aws-cli\/1\.45\.11 \(v1\)/);
    expect(result.calls.length).toBeGreaterThan(0);
    expect(result.calls.every((args) => args[0] === '--version')).toBe(true);
  });
});

describe('scripts/ops/aws-cli.sh require_aws_cli_v2', () => {
  const check = (fake: FakeAws) =>
    run(['-c', `source ${JSON.stringify(join(opsDir, 'aws-cli.sh'))} && require_aws_cli_v2`], fake);

  it('accepts v2', () => {
    const result = check({ version: V2 });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('names the v1 it found and how to get v2', () => {
    const result = check({ version: V1 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('aws-cli/1.45.11 (v1)');
    expect(result.stderr).toContain(
      "lacks 'aws logs tail' (make logs) and '--cli-binary-format' (make sync-*)",
    );
    expect(result.stderr).toContain('getting-started-install.html');
  });

  it('says so when there is no aws at all, or its version cannot be read', () => {
    const missing = check({});
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no 'aws' is on PATH/);
    const garbled = check({ version: 'something else' });
    expect(garbled.status).toBe(2);
    expect(garbled.stderr).toMatch(/could not read the version .*'something else'/);
  });
});

describe('scripts/ops/sync-remote.sh', () => {
  it('checks for AWS CLI v2 before invoking (it uses the v2-only --cli-binary-format)', () => {
    const result = run([join(opsDir, 'sync-remote.sh'), 'dev'], { version: V1, response: '{}' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('AWS CLI v2 is required');
    expect(result.calls.filter((args) => args[0] === 'lambda')).toEqual([]);
  });
});

describe('scripts/ops/db-tunnel.sh', () => {
  const tunnel = (args: string[], fake: FakeAws) => run([join(opsDir, 'db-tunnel.sh'), ...args], fake);
  const secretArn = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:rds!db-0123abcd-AbCdEf';
  const host = 'batch-scheduler-dev.abcdefghijkl.ap-northeast-1.rds.amazonaws.com';
  /** The AWS side of a dev environment with its bastion on (the CLI's --output text: tab-separated). */
  const deployed = (over: FakeAws['answers'] = {}): FakeAws => ({
    version: V2,
    plugin: true,
    answers: {
      'ec2 describe-instances': { out: 'i-0123456789abcdef0\n' },
      'rds describe-db-instances': { out: `${host}\t5432\tshirogane\t${secretArn}\n` },
      'rds describe-db-clusters': {
        out: `csv-processor-dev.cluster-abc.ap-northeast-1.rds.amazonaws.com\t5432\tcsv_processor\t${secretArn}\n`,
      },
      'ssm start-session': { out: 'Starting session with SessionId: alice-0a1b2c3d4e5f\n' },
      ...over,
    },
  });
  const call = (calls: string[][], service: string, command: string) =>
    calls.find((args) => args[0] === service && args[1] === command);

  it('forwards a local port to the database through the running bastion of the environment', () => {
    const result = tunnel(['dev', 'batch-scheduler'], deployed());
    expect(result.status).toBe(0);
    expect(call(result.calls, 'ec2', 'describe-instances')).toEqual(
      expect.arrayContaining([
        'Name=tag:Environment,Values=dev',
        'Name=tag:Name,Values=*-dev-bastion',
        'Name=instance-state-name,Values=running',
      ]),
    );
    expect(call(result.calls, 'rds', 'describe-db-instances')).toEqual(
      expect.arrayContaining(['--db-instance-identifier', 'batch-scheduler-dev']),
    );
    expect(call(result.calls, 'ssm', 'start-session')).toEqual([
      'ssm',
      'start-session',
      '--target',
      'i-0123456789abcdef0',
      '--document-name',
      'AWS-StartPortForwardingSessionToRemoteHost',
      '--parameters',
      `host=${host},portNumber=5432,localPortNumber=15432`,
    ]);
    expect(result.stdout).toContain('Starting session');
    // The operator is told how to connect, with the password read from the secret, never printed.
    expect(result.stderr).toContain(
      `Forwarding localhost:15432 -> ${host}:5432 through the bastion i-0123456789abcdef0`,
    );
    expect(result.stderr).toContain(`--secret-id '${secretArn}'`);
    expect(result.stderr).toContain('host=localhost port=15432 dbname=shirogane');
  });

  it('takes the local port and describes an Aurora database as a cluster', () => {
    const result = tunnel(['prd', 'csv-processor', '25432'], deployed());
    expect(result.status).toBe(0);
    expect(call(result.calls, 'rds', 'describe-db-clusters')).toEqual(
      expect.arrayContaining(['--db-cluster-identifier', 'csv-processor-prd']),
    );
    expect(call(result.calls, 'rds', 'describe-db-instances')).toBeUndefined();
    expect(call(result.calls, 'ssm', 'start-session')).toContain(
      'host=csv-processor-dev.cluster-abc.ap-northeast-1.rds.amazonaws.com,portNumber=5432,localPortNumber=25432',
    );
    expect(result.stderr).toContain('dbname=csv_processor');
  });

  it('reaches the etl source by its instance identifier', () => {
    const result = tunnel(['dev', 'etl-source'], deployed());
    expect(result.status).toBe(0);
    expect(call(result.calls, 'rds', 'describe-db-instances')).toEqual(
      expect.arrayContaining(['--db-instance-identifier', 'etl-source-dev']),
    );
  });

  it('says how to turn the bastion on when the environment has none, and opens nothing', () => {
    const result = tunnel(['dev', 'batch-scheduler'], deployed({ 'ec2 describe-instances': { out: '\n' } }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^No running bastion in dev: its network module has bastion_enabled = false/,
    );
    expect(result.stderr).toContain('environments/dev/terraform.tfvars');
    expect(call(result.calls, 'rds', 'describe-db-instances')).toBeUndefined();
    expect(call(result.calls, 'ssm', 'start-session')).toBeUndefined();
  });

  it('names the database it could not find, and opens nothing', () => {
    const result = tunnel(
      ['dev', 'etl-source'],
      deployed({ 'rds describe-db-instances': { out: '', exitCode: 254 } }),
    );
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^No database etl-source-dev in dev/);
    expect(call(result.calls, 'ssm', 'start-session')).toBeUndefined();
  });

  it('needs the Session Manager plugin, and says where to get it before calling AWS', () => {
    const result = tunnel(['dev', 'batch-scheduler'], { ...deployed(), plugin: false });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("'session-manager-plugin' is not on PATH");
    expect(result.stderr).toContain('session-manager-working-with-install-plugin.html');
    expect(result.calls.every((args) => args[0] === '--version')).toBe(true);
  });

  it('stops on AWS CLI v1 before calling AWS', () => {
    const result = tunnel(['dev', 'batch-scheduler'], { ...deployed(), version: V1 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('AWS CLI v2 is required');
    expect(result.calls.every((args) => args[0] === '--version')).toBe(true);
  });

  it('refuses wrong arguments with one clear line and exit 2, calling nothing', () => {
    const cases: [string[], RegExp][] = [
      [[], /^usage: /],
      [['staging', 'batch-scheduler'], /^usage: /],
      [['dev'], /^usage: /],
      [['dev', 'shirogane'], /^unknown database 'shirogane': one of batch-scheduler, etl-source/],
      [['dev', 'batch-scheduler', '80'], /^local port must be a number from 1024 to 65535, got '80'/],
      [['dev', 'batch-scheduler', 'abc'], /^local port must be a number from 1024 to 65535, got 'abc'/],
    ];
    for (const [args, message] of cases) {
      const result = tunnel(args, deployed());
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.calls).toEqual([]);
    }
  });
});
