import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { clientSettings } from '../../../functions/shared/aws';
import { repositoryRoot } from '../../../functions/shared/assets';
import { createS3Client, readObjectText } from '../../../functions/shared/s3';
import { isDeletedIndex, RECENT_FRACTION } from '../../fakes/salesforce/records';
import { startFakeSalesforce, type FakeSalesforce } from '../../fakes/salesforce/server';
import { uniqueName } from '../../testing/stack';
import { createRunsLedger } from '../../../functions/shared/runs-ledger';
import { runsLedgerTable, LOCAL_ENVIRONMENT } from './runs-ledger';
import { salesforceExtractPipeline } from './salesforce-extract';

/**
 * `npm run local -- salesforce-extract` as a person runs it: tsx in a child process, the fake
 * org started by the runner, the test stack's S3 and DynamoDB (a bucket and watermark table of
 * its own), or the runner's own S3 and DynamoDB kept in a folder. The fake's records are the
 * same on every start except the newest 5 %, modified minutes before it started: what a
 * second run must pick up, and nothing else.
 */
const run = promisify(execFile);
const root = repositoryRoot();
const RECORDS = 300;

interface Outcome {
  mode: string;
  records: number;
  key: string;
  bytes: number;
  manifestKey: string;
}
interface Report {
  status: string;
  objects: Record<string, Outcome>;
}

/**
 * A run of an object writes `<Object>_YYYYMMDD_HHMM.csv`; a second run in the same JST minute
 * is refused rather than overwriting it. Runs that follow one another within a test write
 * into buckets of their own (the watermark table stays shared).
 */
const ownBucket = (env: Record<string, string | undefined>) => ({
  ...env,
  RAW_BUCKET: uniqueName('sf-next'),
});

async function cli(args: string[], env: Record<string, string | undefined>) {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...env,
  };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return run(join(root, 'node_modules/.bin/tsx'), ['scripts/local/cli.ts', 'salesforce-extract', ...args], {
    cwd: root,
    env: childEnv as NodeJS.ProcessEnv,
    maxBuffer: 16 * 1024 * 1024,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/** Live records among indexes [from, to): the fake puts every 40th in the recycle bin. */
const live = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => from + i).filter((i) => !isDeletedIndex(i)).length;
const recentFrom = Math.floor(RECORDS * (1 - RECENT_FRACTION));

describe('npm run local -- salesforce-extract on the test stack', () => {
  const env = {
    RAW_BUCKET: uniqueName('sf-local'),
    WATERMARK_TABLE: uniqueName('sf-watermarks'),
    SALESFORCE_SECRET_FILE: undefined,
  };
  const watermark = async (object: string) =>
    (
      await DynamoDBDocumentClient.from(new DynamoDBClient(clientSettings('DYNAMODB'))).send(
        new GetCommand({ TableName: env.WATERMARK_TABLE, Key: { object } }),
      )
    ).Item as { watermark: string; updatedAt: string } | undefined;
  let first: Report;

  it('--json: one object of the documented shape; the files and manifests are in S3', async () => {
    const { code, stdout, stderr } = await cli(
      ['--objects', 'Account,Contact', '--records', String(RECORDS), '--json'],
      env,
    );
    expect({ code, stderr: code ? stderr : '' }).toEqual({ code: 0, stderr: '' });
    first = JSON.parse(stdout) as Report;
    expect(Object.keys(first)).toEqual(['status', 'objects']);
    expect(first.status).toBe('SUCCEEDED');
    expect(Object.keys(first.objects).sort()).toEqual(['Account', 'Contact']);
    const s3 = createS3Client();
    for (const [name, outcome] of Object.entries(first.objects)) {
      expect(Object.keys(outcome).sort()).toEqual(['bytes', 'key', 'manifestKey', 'mode', 'records']);
      expect(outcome.mode).toBe('rest');
      expect(outcome.records).toBe(live(0, RECORDS));
      expect(outcome.key).toMatch(
        new RegExp(`^raw/${name}/year=\\d{4}/month=\\d\\d/day=\\d\\d/${name}_\\d{8}_\\d{4}\\.csv$`),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: env.RAW_BUCKET, Key: outcome.key }));
      expect(head.ContentLength).toBe(outcome.bytes);
      const manifest = JSON.parse(await readObjectText(env.RAW_BUCKET, outcome.manifestKey)) as Record<
        string,
        unknown
      >;
      expect(manifest).toMatchObject({ object: name, records: outcome.records, bytes: outcome.bytes });
      expect((await watermark(name))?.watermark).toEqual(expect.any(String));
    }
    // As every local command's runs: in the local run ledger.
    const ledger = createRunsLedger({ table: runsLedgerTable(LOCAL_ENVIRONMENT).name });
    const runs = await ledger.listRuns({ pipeline: 'salesforce-extract', status: 'SUCCEEDED', limit: 100 });
    expect(runs.runs.length).toBeGreaterThan(0);
  });

  it('a second run extracts only what changed since the first; --full everything, and sets the watermark afresh', async () => {
    const before = await watermark('Account');
    const second = await cli(
      ['--objects', 'Account', '--records', String(RECORDS), '--json'],
      ownBucket(env),
    );
    expect(second.code).toBe(0);
    const incremental = JSON.parse(second.stdout) as Report;
    expect(incremental.status).toBe('SUCCEEDED');
    expect(incremental.objects.Account!.records).toBe(live(recentFrom, RECORDS));
    const advanced = await watermark('Account');
    expect(advanced!.watermark >= before!.watermark).toBe(true);

    const full = await cli(
      ['--objects', 'Account', '--records', String(RECORDS), '--full', '--json'],
      ownBucket(env),
    );
    expect(full.code).toBe(0);
    const again = JSON.parse(full.stdout) as Report;
    expect(again.objects.Account!.records).toBe(first.objects.Account!.records);
    const reset = await watermark('Account');
    expect(reset!.updatedAt > advanced!.updatedAt).toBe(true);
  });

  it('human mode: a table of the objects and the stack used on stdout, logs on stderr', async () => {
    const own = ownBucket(env);
    const { code, stdout, stderr } = await cli(['--objects', 'Contact', '--records', '50'], own);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^salesforce-extract SUCCEEDED\nobject +mode +records +bytes +key\n/);
    expect(stdout).toMatch(/^Contact +rest +\d+ +\d+ +raw\/Contact\//m);
    expect(stdout).toContain(`s3://${own.RAW_BUCKET}`);
    expect(stderr).toMatch(/storage: the services AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_DYNAMODB name/);
  });

  it('an object the org does not know: exit 2, one line naming it, before anything runs', async () => {
    const { code, stdout, stderr } = await cli(['--objects', 'Account,NoSuchThing__c', '--json'], env);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: --objects: NoSuchThing__c is not an object of the fake org at http/),
    ]);
  });
});

describe('SALESFORCE_SECRET_FILE that cannot be used', () => {
  const KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7NOTAREALKEY';
  const pem = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\n`;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR!, 'sf-secret-'));
  });

  it.each([
    ['missing', null, /SALESFORCE_SECRET_FILE \S+ cannot be read \(ENOENT\)$/],
    ['not JSON', `privateKey=${pem}`, /SALESFORCE_SECRET_FILE \S+ is not JSON$/],
    [
      'the wrong shape',
      JSON.stringify({ consumerKey: 'abc', privateKey: pem, username: 'me@example.com', loginUrl: 'login' }),
      /SALESFORCE_SECRET_FILE \S+ is not shaped like the secret .*\(check: loginUrl\)$/,
    ],
  ])('%s: exit 2, one line, no key material', async (label, content, message) => {
    const file = join(dir, `${label.replace(/ /g, '-')}.json`);
    if (content !== null) await writeFile(file, content);
    const { code, stdout, stderr } = await cli(['--objects', 'Account', '--records', '10'], {
      SALESFORCE_SECRET_FILE: file,
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(new RegExp(`^error: ${message.source}`)),
    ]);
    expect(stderr).not.toContain(KEY_BODY);
    expect(stderr).not.toContain('PRIVATE KEY');
  });
});

describe('SALESFORCE_SECRET_FILE naming an org', () => {
  let fake: FakeSalesforce;
  let dir: string;
  const env = { RAW_BUCKET: uniqueName('sf-org'), WATERMARK_TABLE: uniqueName('sf-org-wm') };
  beforeAll(async () => {
    fake = await startFakeSalesforce({ objects: { Account: { records: 120 } } });
    dir = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR!, 'sf-org-'));
  });
  afterAll(() => fake?.stop());

  it('is used instead of the fake the runner starts; --records is ignored with a note', async () => {
    const file = join(dir, 'secret.json');
    await writeFile(file, JSON.stringify(fake.secret));
    const { code, stdout, stderr } = await cli(['--objects', 'account', '--records', '5', '--json'], {
      ...env,
      SALESFORCE_SECRET_FILE: file,
    });
    expect(code).toBe(0);
    // The object under the org's own name, whatever the case typed.
    expect((JSON.parse(stdout) as Report).objects.Account!.records).toBe(fake.expectedCount('Account'));
    expect(stderr).toContain('--records is ignored');
    expect(stderr).toContain(`${fake.secret.username} via ${fake.secret.tokenUrl} (SALESFORCE_SECRET_FILE)`);
  });

  it('a key the org does not know: exit 2, the org’s answer and its hint in one line, no key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const file = join(dir, 'wrong-key.json');
    await writeFile(file, JSON.stringify({ ...fake.secret, privateKey: pem }));
    const { code, stdout, stderr } = await cli(['--objects', 'Account', '--json'], {
      ...env,
      SALESFORCE_SECRET_FILE: file,
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: the org refused the token request: .*invalid_grant/),
    ]);
    expect(stderr).not.toContain(pem.split('\n')[1]);
  });
});

describe('without an endpoint or an `up` stack: its own S3 and DynamoDB, kept in a folder', () => {
  it('a second run still finds the first run’s watermark', async () => {
    const dataDir = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR!, 'sf-data-'));
    const env = {
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: undefined,
      AWS_ENDPOINT_URL_DYNAMODB: undefined,
      LOCAL_SECRETS_FILE: undefined,
      RAW_BUCKET: undefined,
      WATERMARK_TABLE: undefined,
      SALESFORCE_SECRET_FILE: undefined,
      PIPELINES_STACK_ENV_FILE: join(dataDir, 'no-up-stack.json'),
      SALESFORCE_EXTRACT_DATA_DIR: dataDir,
    };
    const args = ['--objects', 'Account', '--records', String(RECORDS), '--json'];
    const first = await cli(args, env);
    expect(first.stderr).toContain(`kept in ${dataDir}`);
    expect((JSON.parse(first.stdout) as Report).objects.Account!.records).toBe(live(0, RECORDS));
    const second = await cli(args, ownBucket(env));
    expect((JSON.parse(second.stdout) as Report).objects.Account!.records).toBe(live(recentFrom, RECORDS));
  });
});

it('make demo: one summary part per object, its mode and counts', () => {
  const json = {
    status: 'SUCCEEDED',
    objects: {
      Account: { mode: 'bulk', records: 2925, key: 'raw/Account/a.csv', bytes: 909351, manifestKey: 'm' },
      Contact: { mode: 'rest', records: 12, key: 'raw/Contact/c.csv', bytes: 800, manifestKey: 'n' },
    },
  };
  expect(salesforceExtractPipeline.demo?.summary?.(json)).toEqual([
    'Account: bulk records=2925 bytes=909351',
    'Contact: rest records=12 bytes=800',
  ]);
});
