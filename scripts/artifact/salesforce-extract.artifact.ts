import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientSettings } from '../../functions/shared/aws';
import { repositoryRoot } from '../../functions/shared/assets';
import { readObjectText } from '../../functions/shared/s3';
import { startFakeSalesforce, type FakeSalesforce } from '../fakes/salesforce/server';
import { ensureTable, salesforceWatermarkTable } from '../local/pipelines/resources';
import {
  ENVIRONMENT,
  executeExtraction,
  FUNCTION,
  functionEnv,
  objectConfigs,
  type ExtractReport,
} from '../local/pipelines/salesforce-extract';
import { createBucket, putLocalSecret, uniqueName } from '../testing/stack';
import { runZip, stackEnv, type ZipRun } from './support';

/**
 * dist/salesforce-extract.zip unpacked into an empty directory and run in its own Node 24 process
 * as every step of the deployed state machine (preflight, plan, REST pages, Bulk job create/poll/
 * download, commit, summarize) against the fake org and the embedded stack; then the whole local
 * run with `--from-dist`, as a person types it.
 */
const SECRET_ID = 'artifact-salesforce/jwt';
const RECORDS = 2_500;

describe('salesforce-extract from dist/', () => {
  let fake: FakeSalesforce;
  let zip: ZipRun;
  const bucket = uniqueName('artifact-sf');
  const table = uniqueName('artifact-sf-watermarks');

  beforeAll(async () => {
    fake = await startFakeSalesforce({
      objects: { Account: { records: RECORDS }, Contact: { records: 40 } },
    });
    await createBucket(bucket);
    await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), {
      ...salesforceWatermarkTable(ENVIRONMENT),
      name: table,
    });
    await putLocalSecret(SECRET_ID, fake.secret);
    zip = await runZip(FUNCTION, {
      ...stackEnv(),
      LOCAL_SECRETS_FILE: process.env.LOCAL_SECRETS_FILE,
      ...functionEnv({ rawBucket: bucket, watermarkTable: table }, [
        ...objectConfigs(['Account'], 'bulk'),
        ...objectConfigs(['Contact']),
      ]),
      SALESFORCE_SECRET_ID: SECRET_ID,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
  });
  afterAll(async () => {
    await zip?.close();
    await fake?.stop();
  });

  it('every step from the zip: a Bulk object and a REST object land in S3 with their manifests', async () => {
    const report: ExtractReport = await executeExtraction({
      handler: (event) => zip.invoke(event),
      sources: false,
      objects: ['Account', 'Contact'],
    });
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      objects: {
        Account: { mode: 'bulk', records: fake.expectedRecords('Account').length },
        Contact: { mode: 'rest', records: fake.expectedRecords('Contact').length },
      },
    });
    for (const outcome of Object.values(report.objects)) {
      const manifest = JSON.parse(await readObjectText(bucket, outcome.manifestKey)) as {
        records: number;
        sha256: string;
      };
      expect(manifest.records).toBe(outcome.records);
      expect(manifest.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    // The Bulk job was created, polled and downloaded through the zip's client.
    expect(fake.calls.some((c) => c.method === 'POST' && c.path.endsWith('/jobs/query'))).toBe(true);
  });

  it('npm run local -- salesforce-extract --from-dist: the whole state machine on the zip', async () => {
    const root = repositoryRoot();
    const { stdout } = await promisify(execFile)(
      join(root, 'node_modules/.bin/tsx'),
      ['scripts/local/cli.ts', FUNCTION, '--objects', 'Account', '--records', '300', '--from-dist', '--json'],
      {
        cwd: root,
        env: {
          ...process.env,
          RAW_BUCKET: uniqueName('artifact-sf-cli'),
          WATERMARK_TABLE: uniqueName('artifact-sf-cli-wm'),
          POWERTOOLS_LOG_LEVEL: 'ERROR',
        },
      },
    );
    const json = JSON.parse(stdout) as ExtractReport;
    expect(json).toMatchObject({ status: 'SUCCEEDED', objects: { Account: { mode: 'rest' } } });
  });
});
