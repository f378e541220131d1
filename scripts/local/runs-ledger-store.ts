import { rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative, resolve } from 'node:path';
import { endpointFor } from '../../functions/shared/aws';
import { repositoryRoot } from '../../functions/shared/assets';
import { LOCAL_ENVIRONMENT, prepareLocalLedger, runsLedgerTable } from './pipelines/runs-ledger';
import {
  answers,
  cleanUpOnSignal,
  findRunningStack,
  isAlive,
  stackEnvFile,
  startDynamo,
  type AcquiredStack,
} from './stack';
import { closeServer } from '../lib/close-server';

/**
 * Where the local run ledger `pipeline-runs-local` lives, decided in one place for every local
 * command (the pipeline runners, `npm run invoke`, `npm run local -- api|report`,
 * `npm run runs -- --local`):
 *
 * 1. the DynamoDB AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL names;
 * 2. else the running `npm run local -- up` stack's DynamoDB;
 * 3. else a dynalite kept in PIPELINES_RUNS_LEDGER_DIR (default .local/runs-ledger/), so a run
 *    made by one command is still there for the next one (`npm run local -- csv-processor`
 *    then `npm run local -- api`), although each starts and stops its own throw-away stack.
 *
 * leveldb lets one process open the folder. The process that opens it publishes its endpoint
 * in <folder>/endpoint.json (pid, command, url); another command finding a live one writes
 * through that endpoint instead of opening the folder. `api` is long-lived: it only relies on
 * another api's endpoint and otherwise waits for the folder, so its ledger never goes away
 * under it when a pipeline run that happened to hold the folder ends.
 *
 * In case 3 the command's throw-away stack keeps its own DynamoDB (a csv-processor run's
 * file claims must not outlive it): a small router in front of both sends requests naming the
 * ledger table to the ledger and everything else to the stack, so the functions' code, the
 * recorder and the pipelines' own ledger helper see one DynamoDB endpoint, as in AWS.
 */
export const DEFAULT_LEDGER_DIR = '.local/runs-ledger';
export const LEDGER_DIR_VARIABLE = 'PIPELINES_RUNS_LEDGER_DIR';
const ENDPOINT_FILE = 'endpoint.json';
/** How long `api` waits for a command holding the folder to end. */
const HOLDER_WAIT_MS = 120_000;
const POLL_MS = 200;

export function ledgerDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(repositoryRoot(), env[LEDGER_DIR_VARIABLE] || DEFAULT_LEDGER_DIR);
}

/** The folder as a person would type it: relative under the working folder, absolute elsewhere. */
function shown(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') ? rel : dir;
}

interface Claim {
  pid: number;
  command: string;
  /** null while the holder is still starting its dynalite. */
  url: string | null;
  longLived: boolean;
}

async function readClaim(file: string): Promise<Claim | 'absent' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 'absent';
  }
  try {
    const claim = JSON.parse(text) as Claim;
    return Number.isInteger(claim.pid) ? claim : 'unreadable';
  } catch {
    // A holder writes its file in one rename; anything else is not ours to trust.
    return 'unreadable';
  }
}

async function youngerThan(file: string, ms: number): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return Boolean(info && Date.now() - info.mtimeMs < ms);
}

async function writeClaim(file: string, claim: Claim, exclusive: boolean): Promise<void> {
  const text = `${JSON.stringify(claim)}\n`;
  if (exclusive) return writeFile(file, text, { flag: 'wx' });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

type KeptLedger =
  | { kind: 'opened'; url: string; release(): Promise<void> }
  | { kind: 'shared'; url: string; holder: Claim }
  | { kind: 'in-use'; reason: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens the kept ledger folder, or finds the command that has it open and shares it. */
export async function openKeptLedger(
  dir: string,
  command: string,
  options: { longLived?: boolean; log?: (message: string) => void; waitMs?: number } = {},
): Promise<KeptLedger> {
  await mkdir(dir, { recursive: true });
  const file = resolve(dir, ENDPOINT_FILE);
  const longLived = Boolean(options.longLived);
  const deadline = Date.now() + (options.waitMs ?? (longLived ? HOLDER_WAIT_MS : 3_000));
  let announced = false;
  for (;;) {
    const mine: Claim = { pid: process.pid, command, url: null, longLived };
    const claimed = await writeClaim(file, mine, true).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        return false;
      },
    );
    if (claimed) return openClaimed(dir, file, mine);
    const claim = await readClaim(file);
    if (claim === 'absent') continue;
    if (claim === 'unreadable' && (await youngerThan(file, 2_000))) {
      // Created but not written yet by a command claiming the folder this instant.
      await sleep(POLL_MS);
      continue;
    }
    if (claim === 'unreadable' || !isAlive(claim.pid)) {
      // The holder ended without removing its file (killed): the folder is free again.
      await rm(file, { force: true });
      continue;
    }
    if (claim.url && (!longLived || claim.longLived) && (await answers(claim.url)))
      return { kind: 'shared', url: claim.url, holder: claim };
    const holder = `\`${claim.command}\` (pid ${claim.pid})`;
    if (Date.now() > deadline)
      return {
        kind: 'in-use',
        reason: `${shown(dir)} is in use by ${holder}${
          !claim.url
            ? ', which does not share it yet'
            : longLived && !claim.longLived
              ? ''
              : `, whose endpoint ${claim.url} does not answer (${ENDPOINT_FILE} names it)`
        }`,
      };
    if (longLived && claim.url && !announced) {
      options.log?.(`runs ledger: waiting for ${holder} to finish with ${shown(dir)}`);
      announced = true;
    }
    await sleep(POLL_MS);
  }
}

async function openClaimed(dir: string, file: string, claim: Claim): Promise<KeptLedger> {
  const unpublish = () => rmSync(file, { force: true });
  const forgetSignal = cleanUpOnSignal(unpublish);
  // A CLI that ends with process.exit (npm run runs) never reaches release().
  process.once('exit', unpublish);
  const forget = () => {
    forgetSignal();
    process.off('exit', unpublish);
  };
  try {
    const dynamo = await startDynamo(dir, true);
    await writeClaim(file, { ...claim, url: dynamo.url }, false);
    return {
      kind: 'opened',
      url: dynamo.url,
      release: async () => {
        // Unpublished first: nobody should start writing to an endpoint that is closing.
        await rm(file, { force: true });
        forget();
        await dynamo.stop();
      },
    };
  } catch (error) {
    await rm(file, { force: true });
    forget();
    throw new Error(`cannot open the runs ledger in ${shown(dir)}: ${(error as Error).message}`);
  }
}

/** The table names a DynamoDB JSON request addresses. */
export function tablesOf(body: unknown): string[] {
  if (!body || typeof body !== 'object') return [];
  const b = body as {
    TableName?: unknown;
    RequestItems?: Record<string, unknown>;
    TransactItems?: Array<Record<string, { TableName?: unknown }>>;
  };
  const names: unknown[] = [b.TableName, ...Object.keys(b.RequestItems ?? {})];
  for (const item of Array.isArray(b.TransactItems) ? b.TransactItems : [])
    for (const action of Object.values(item ?? {})) names.push(action?.TableName);
  return names.filter((n): n is string => typeof n === 'string');
}

function forward(target: string, req: IncomingMessage, body: Buffer, res: ServerResponse): void {
  const url = new URL(target);
  const upstream = httpRequest(
    {
      host: url.hostname,
      port: url.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: url.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (error) => {
    if (res.headersSent) return res.destroy();
    res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailableException',
        message: `local DynamoDB at ${url.host} did not answer (${error.message})`,
      }),
    );
  });
  upstream.end(body);
}

/** One DynamoDB endpoint in front of two: requests naming `table` go to `ledgerUrl`. */
export async function startTableRouter(
  defaultUrl: string,
  table: string,
  ledgerUrl: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let tables: string[] = [];
      try {
        tables = tablesOf(JSON.parse(body.toString('utf8') || '{}'));
      } catch {
        // Not JSON: the stack's DynamoDB answers it as it would answer it directly.
      }
      forward(tables.includes(table) ? ledgerUrl : defaultUrl, req, body, res);
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => closeServer(server),
  };
}

export interface RunsLedgerSession {
  /** RUNS_TABLE and the DynamoDB endpoint to reach it; without RUNS_TABLE runs are not recorded. */
  env: Record<string, string>;
  table?: string;
  /** One line for a person: where the ledger is. */
  description: string;
  release(): Promise<void>;
}

export interface RunsLedgerOptions {
  /** Names the holder in endpoint.json and the lines a person reads. */
  command: string;
  /**
   * The command's stack: its DynamoDB stays the endpoint for everything but the ledger. Absent
   * (`npm run runs -- --local`): the ledger alone.
   */
  stack?: Pick<AcquiredStack, 'env' | 'up'>;
  /** The command serves the ledger to others for long (`api`). */
  longLived?: boolean;
  env?: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

const credentialsOf = (env: NodeJS.ProcessEnv) => ({
  AWS_REGION: env.AWS_REGION || 'ap-northeast-1',
  AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID || 'S3RVER',
  AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY || 'S3RVER',
});

/** The one way a local command finds the run ledger (see the top of this file). */
export async function acquireRunsLedger(options: RunsLedgerOptions): Promise<RunsLedgerSession> {
  const env = options.env ?? process.env;
  const table = runsLedgerTable(LOCAL_ENVIRONMENT).name;
  const noop = async () => undefined;
  const given = endpointFor('DYNAMODB', env);
  let home: { env: Record<string, string>; description: string } | undefined;
  if (given) {
    const name = env.AWS_ENDPOINT_URL_DYNAMODB ? 'AWS_ENDPOINT_URL_DYNAMODB' : 'AWS_ENDPOINT_URL';
    home = { env: options.stack?.env ?? {}, description: `in the DynamoDB ${name} names (${given})` };
  } else if (options.stack?.up) {
    home = { env: options.stack.env, description: 'in the running stack from `npm run local -- up`' };
  } else if (!options.stack) {
    const running = await findRunningStack(stackEnvFile(env));
    if (running.state === 'running')
      home = { env: running.env, description: 'in the running stack from `npm run local -- up`' };
  }
  if (home) {
    const ready = await prepareLocalLedger({ ...env, ...home.env }, options.log);
    return {
      env: { ...home.env, ...ready },
      table: ready.RUNS_TABLE,
      description: `runs ledger ${table} ${home.description}`,
      release: noop,
    };
  }

  const dir = ledgerDir(env);
  const kept = await openKeptLedger(dir, options.command, {
    longLived: options.longLived,
    log: options.log,
  });
  if (kept.kind === 'in-use')
    return {
      env: options.stack?.env ?? {},
      description: `runs ledger: not recorded: ${kept.reason}; run again when it ends, or keep \`npm run local -- api\` running to share it`,
      release: noop,
    };
  const stackDynamo = options.stack?.env.AWS_ENDPOINT_URL_DYNAMODB;
  const router = stackDynamo ? await startTableRouter(stackDynamo, table, kept.url) : undefined;
  const release = async () => {
    await router?.stop();
    if (kept.kind === 'opened') await kept.release();
  };
  try {
    const reach = {
      ...credentialsOf(env),
      ...options.stack?.env,
      AWS_ENDPOINT_URL_DYNAMODB: router?.url ?? kept.url,
    };
    const ready = await prepareLocalLedger({ ...env, ...reach }, options.log);
    const where =
      kept.kind === 'opened'
        ? `kept in ${shown(dir)}`
        : `kept in ${shown(dir)}, through \`${kept.holder.command}\` (pid ${kept.holder.pid})`;
    return {
      env: { ...reach, ...ready },
      table: ready.RUNS_TABLE,
      description: `runs ledger ${table} ${where}`,
      release,
    };
  } catch (error) {
    await release();
    throw error;
  }
}
