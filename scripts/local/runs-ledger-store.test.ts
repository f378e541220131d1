import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ListTablesCommand,
} from '@aws-sdk/client-dynamodb';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientSettings } from '../../functions/shared/aws';
import type { RunRecord } from '../../functions/shared/runs-ledger';
import { startLocalCli } from '../testing/local-cli';
import { uniqueName, useFreshDatabase } from '../testing/stack';
import { acquireRunsLedger, openKeptLedger, tablesOf } from './runs-ledger-store';

/**
 * The local run ledger outside `npm run local -- up`: kept in a folder between commands,
 * shared by the command holding it (endpoint.json), and one line when it cannot be had.
 * The end-to-end case runs the commands as a person does, each its own process.
 */
const scratch = () => process.env.PIPELINES_TEST_TMPDIR!;

describe('tablesOf', () => {
  it('names the tables of single-table, batch and transaction requests', () => {
    expect(tablesOf({ TableName: 'a' })).toEqual(['a']);
    expect(tablesOf({ RequestItems: { a: [], b: [] } })).toEqual(['a', 'b']);
    expect(
      tablesOf({ TransactItems: [{ Put: { TableName: 'a' } }, { ConditionCheck: { TableName: 'b' } }] }),
    ).toEqual(['a', 'b']);
    expect(tablesOf({})).toEqual([]);
    expect(tablesOf(null)).toEqual([]);
  });
});

describe('openKeptLedger', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(scratch(), 'ledger-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('opens the folder, publishes its endpoint while open and removes it on release', async () => {
    const kept = await openKeptLedger(dir, 'api', { longLived: true });
    expect(kept.kind).toBe('opened');
    if (kept.kind !== 'opened') return;
    const claim = JSON.parse(await readFile(join(dir, 'endpoint.json'), 'utf8'));
    expect(claim).toEqual({ pid: process.pid, command: 'api', url: kept.url, longLived: true });
    // Another command finds it and shares it instead of opening the folder.
    const other = await openKeptLedger(dir, 'csv-processor');
    expect(other).toMatchObject({ kind: 'shared', url: kept.url, holder: { command: 'api' } });
    await kept.release();
    expect(existsSync(join(dir, 'endpoint.json'))).toBe(false);
    // Closed: the next command opens it itself (leveldb released its lock).
    const again = await openKeptLedger(dir, 'report');
    expect(again.kind).toBe('opened');
    if (again.kind === 'opened') await again.release();
  });

  it('takes over the folder of a holder that is gone (its file names a dead pid)', async () => {
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => dead.on('exit', r));
    await writeFile(
      join(dir, 'endpoint.json'),
      JSON.stringify({ pid: dead.pid, command: 'api', url: 'http://127.0.0.1:9', longLived: true }),
    );
    const kept = await openKeptLedger(dir, 'report');
    expect(kept.kind).toBe('opened');
    if (kept.kind === 'opened') await kept.release();
  });

  it('says who holds the folder when it is not shared', async () => {
    // A live holder still starting (no url yet): this process stands in for it.
    await writeFile(
      join(dir, 'endpoint.json'),
      JSON.stringify({ pid: process.pid, command: 'sync-batch', url: null, longLived: false }),
    );
    const kept = await openKeptLedger(dir, 'csv-processor', { waitMs: 300 });
    expect(kept).toEqual({
      kind: 'in-use',
      reason: `${dir} is in use by \`sync-batch\` (pid ${process.pid}), which does not share it yet`,
    });
  });

  it('makes api wait for a short command holding the folder rather than rely on it', async () => {
    const holder = await openKeptLedger(dir, 'csv-processor');
    expect(holder.kind).toBe('opened');
    if (holder.kind !== 'opened') return;
    const lines: string[] = [];
    const waiting = openKeptLedger(dir, 'api', { longLived: true, log: (m) => lines.push(m) });
    await new Promise((r) => setTimeout(r, 600));
    await holder.release();
    const kept = await waiting;
    expect(kept.kind).toBe('opened');
    expect(lines).toEqual([
      `runs ledger: waiting for \`csv-processor\` (pid ${process.pid}) to finish with ${dir}`,
    ]);
    if (kept.kind === 'opened') await kept.release();
  });
});

describe('acquireRunsLedger without up or a DynamoDB endpoint', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(async () => {
    dir = await mkdtemp(join(scratch(), 'acquire-'));
    env = {
      PIPELINES_RUNS_LEDGER_DIR: join(dir, 'ledger'),
      PIPELINES_STACK_ENV_FILE: join(dir, 'no-up.env.json'),
    };
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('sends the ledger table to the kept folder and every other table to the command’s stack', async () => {
    // The test stack's dynalite stands for the command's throw-away DynamoDB.
    const stackDynamo = process.env.AWS_ENDPOINT_URL_DYNAMODB!;
    const lines: string[] = [];
    const ledger = await acquireRunsLedger({
      command: 'csv-processor',
      stack: { env: { AWS_ENDPOINT_URL_DYNAMODB: stackDynamo }, up: false },
      env,
      log: (m) => lines.push(m),
    });
    try {
      expect(ledger.table).toBe('pipeline-runs-local');
      expect(ledger.description).toBe(`runs ledger pipeline-runs-local kept in ${join(dir, 'ledger')}`);
      expect(lines).toEqual([]);
      const routed = new DynamoDBClient(clientSettings('DYNAMODB', ledger.env));
      const other = uniqueName('claims');
      await routed.send(
        new CreateTableCommand({
          TableName: other,
          AttributeDefinitions: [{ AttributeName: 'k', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'k', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      const stack = new DynamoDBClient(
        clientSettings('DYNAMODB', { AWS_ENDPOINT_URL_DYNAMODB: stackDynamo }),
      );
      const kept = new DynamoDBClient(clientSettings('DYNAMODB', { AWS_ENDPOINT_URL_DYNAMODB: keptUrl() }));
      expect((await stack.send(new ListTablesCommand({}))).TableNames).toContain(other);
      expect((await kept.send(new ListTablesCommand({}))).TableNames).toEqual(['pipeline-runs-local']);
      await expect(
        routed.send(new DescribeTableCommand({ TableName: 'pipeline-runs-local' })),
      ).resolves.toMatchObject({ Table: { TableName: 'pipeline-runs-local' } });
    } finally {
      await ledger.release();
    }
    expect(existsSync(join(dir, 'ledger', 'endpoint.json'))).toBe(false);
  });

  function keptUrl(): string {
    return (JSON.parse(readFileSync(join(dir, 'ledger', 'endpoint.json'), 'utf8')) as { url: string }).url;
  }

  it('records nothing and says why in one line when the folder is held and not shared', async () => {
    await mkdir(join(dir, 'ledger'), { recursive: true });
    await writeFile(
      join(dir, 'ledger', 'endpoint.json'),
      JSON.stringify({ pid: process.pid, command: 'report', url: null, longLived: false }),
    );
    const ledger = await acquireRunsLedger({ command: 'runs', env, log: () => undefined });
    expect(ledger.table).toBeUndefined();
    expect(ledger.env.RUNS_TABLE).toBeUndefined();
    expect(ledger.description).toBe(
      `runs ledger: not recorded: ${join(dir, 'ledger')} is in use by \`report\` (pid ${process.pid}), which does not share it yet; run again when it ends, or keep \`npm run local -- api\` running to share it`,
    );
  });
});

describe('npm run local -- <pipeline>, then api, then report: one ledger without up', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    home = await mkdtemp(join(scratch(), 'runs-ledger-e2e-'));
    const databaseUrl = await useFreshDatabase('ledger_e2e');
    // As on a laptop without `up`: no DynamoDB given, so each command starts its own throw-away
    // DynamoDB and the ledger is the folder (in the test's scratch folder, not the repository's .local).
    const {
      AWS_ENDPOINT_URL_DYNAMODB: _dynamo,
      AWS_ENDPOINT_URL: _any,
      LOCAL_SECRETS_FILE: _secrets,
      ...inherited
    } = process.env;
    env = {
      ...inherited,
      DATABASE_URL: databaseUrl,
      PIPELINES_RUNS_LEDGER_DIR: join(home, 'ledger'),
      PIPELINES_STACK_ENV_FILE: join(home, 'no-up.env.json'),
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      DEBUG: '',
    };
  });
  afterAll(() => rm(home, { recursive: true, force: true }));

  const start = (args: string[]) => startLocalCli(args, env);

  async function run(args: string[]) {
    const command = start(args);
    const code = await command.exited;
    return { code, ...command.output() };
  }

  it('keeps a run for the next command, shares the api’s ledger with a failing run, and reports both', async () => {
    // 1. A run with no api running: it opens the folder itself, and says so.
    const first = await run(['csv-processor', '--rows', '100', '--json']);
    expect(first.stderr).toContain(
      `csv-processor: runs ledger pipeline-runs-local kept in ${join(home, 'ledger')}`,
    );
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout.trim().split('\n').at(-1)!) as {
      executionName: string;
      status: string;
    };
    expect(existsSync(join(home, 'ledger', 'endpoint.json'))).toBe(false);

    // 2. The api, started afterwards, finds it.
    const api = start(['api', '--port', '0']);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL; stderr:\n${api.output().stderr}`)), 60_000);
        api.child.stdout.on('data', () => {
          const match = /runs API on (http:\/\/127\.0\.0\.1:\d+)/.exec(api.output().stdout);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        });
        void api.exited.then(() => reject(new Error(`api exited; stderr:\n${api.output().stderr}`)));
      });
      const listed = (await (await fetch(`${url}/runs`)).json()) as { runs: RunRecord[] };
      expect(listed.runs).toEqual([
        expect.objectContaining({
          pipeline: 'csv-processor',
          runId: result.executionName,
          status: result.status,
          counts: { in: 100, applied: 98, failed: 2 },
        }),
      ]);
      const claim = JSON.parse(await readFile(join(home, 'ledger', 'endpoint.json'), 'utf8'));
      expect(claim).toMatchObject({ command: 'api', longLived: true, pid: expect.any(Number) });

      // 3. A failing run while the api holds the folder: written through the api's ledger,
      //    its failure notice printed by the command that ran it.
      const bad = join(home, 'bad-header.csv');
      await writeFile(bad, 'id,name\n1,x\n');
      const failing = await run(['csv-processor', '--file', bad, '--json']);
      expect(failing.stderr).toContain(
        `csv-processor: runs ledger pipeline-runs-local kept in ${join(home, 'ledger')}, through \`api\` (pid ${claim.pid})`,
      );
      expect(failing.stderr).toMatch(
        /runs notice[\s\S]*Subject: \[local\] csv-processor FAILED: VALIDATION_FAILED/,
      );
      const failedRun = JSON.parse(failing.stdout.trim().split('\n').at(-1)!) as { executionName: string };
      const failed = (await (await fetch(`${url}/runs?status=FAILED`)).json()) as { runs: RunRecord[] };
      expect(failed.runs).toEqual([
        expect.objectContaining({
          pipeline: 'csv-processor',
          runId: failedRun.executionName,
          status: 'FAILED',
          error: expect.objectContaining({ name: 'VALIDATION_FAILED' }),
        }),
      ]);

      // 4. The report, through the api as well.
      const report = await run(['report', '--out', join(home, 'reports')]);
      expect(report.code).toBe(0);
      expect(report.stderr).toMatch(
        /runs report \d{4}-\d{2}-\d{2} \(JST\): 2 runs, 2 failed, ledger pipeline-runs-local/,
      );
      const page = await readFile(report.stdout.trim(), 'utf8');
      expect(page).toContain(result.executionName);
      expect(page).toContain(failedRun.executionName);
    } finally {
      api.child.kill('SIGINT');
      await api.exited;
    }
    expect(existsSync(join(home, 'ledger', 'endpoint.json'))).toBe(false);

    // 5. With nothing running, the report opens the folder itself and still finds both runs.
    const alone = await run(['report', '--out', join(home, 'reports')]);
    expect(alone.stderr).toContain(
      `report: runs ledger pipeline-runs-local kept in ${join(home, 'ledger')}\n`,
    );
    expect(alone.stderr).toMatch(/: 2 runs, 2 failed/);
  }, 240_000);
});
