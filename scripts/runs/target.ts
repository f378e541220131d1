import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { ApiLogger } from '../../functions/runs-api/api';
import { repositoryRoot } from '../../functions/shared/assets';
import { InvalidValueError } from '../lib/args';
import { ExplainedError, httpClient, inProcessClient, UnreachableError, type RunsApiClient } from './client';
import { executeApiSigner, signingRegion } from './sigv4';

/**
 * Where `npm run runs` sends its requests.
 *
 * `--env dev|prd`: the deployed API, every request signed with the operator's credentials.
 * Its URL is `--url`, else RUNS_API_URL, else the `api_url` of `terraform output runs` in
 * infrastructure/terraform/environments/<env> (an initialised working directory).
 *
 * `--local`: `--url` when given; else the `npm run local -- api` server on its default
 * port; when nothing listens there, the runs-api code in this process over the local
 * ledger wherever the local commands keep it (the `up` stack, else .local/runs-ledger/; see
 * scripts/local/runs-ledger-store.ts), no server needed. When that folder is held by a
 * command that does not share it, that is said in one line.
 */
export const ENVIRONMENTS = ['dev', 'prd'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** `npm run local -- api`'s default port (scripts/local/api.ts; a test keeps them equal). */
export const LOCAL_API_URL = 'http://127.0.0.1:3100';

export function environmentDirectory(environment: Environment): string {
  return join(repositoryRoot(), 'infrastructure', 'terraform', 'environments', environment);
}

/** A value an operator's command needs from the environment's Terraform state. */
export interface TerraformSetting {
  /** The variable that gives it directly. */
  variable: string;
  /** Its field in the environment's `runs` output (environments/common/runs.tf). */
  field: string;
  /** A top-level output of its own, read when there is no `runs` output. */
  output: string;
}

export const API_URL: TerraformSetting = {
  variable: 'RUNS_API_URL',
  field: 'api_url',
  output: 'runs_api_url',
};
export const REPORTS_BUCKET: TerraformSetting = {
  variable: 'RUNS_REPORTS_BUCKET',
  field: 'reports_bucket_name',
  output: 'runs_reports_bucket',
};

type OutputRead = { value: string } | { reason: string };

/** `terraform output <args>` in the environment's directory: its stdout, or why there is none. */
function terraformOutputCommand(environment: Environment, args: string[]): OutputRead {
  const result = spawnSync('terraform', ['output', '-no-color', ...args], {
    cwd: environmentDirectory(environment),
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TF_IN_AUTOMATION: '1' },
  });
  if (result.error)
    return {
      reason:
        (result.error as NodeJS.ErrnoException).code === 'ENOENT'
          ? 'terraform is not on PATH'
          : result.error.message,
    };
  const value = result.stdout.trim();
  if (result.status === 0 && value) return { value };
  // Its first `Error:` line says what is wrong (warnings about ~/.terraformrc come first).
  const said = result.stderr
    .split('\n')
    .map((line) => line.replace(/^[│╷╵\s]+/, '').trim())
    .find((line) => line.startsWith('Error: '));
  return { reason: said?.slice('Error: '.length) ?? `terraform output exited ${result.status}` };
}

/**
 * The setting from the environment's Terraform outputs: the field of the `runs` output
 * (one named output, so no other output's value, sensitive or not, is read), else the
 * top-level output of its own; or the reason neither answers (no terraform, the directory
 * not initialised, not applied yet).
 */
export function terraformOutput(environment: Environment, wanted: TerraformSetting): OutputRead {
  const runs = terraformOutputCommand(environment, ['-json', 'runs']);
  if ('value' in runs) {
    try {
      const value = (JSON.parse(runs.value) as Record<string, unknown>)[wanted.field];
      if (typeof value === 'string' && value) return { value };
    } catch {
      // Not JSON: fall through to the top-level output.
    }
  }
  const own = terraformOutputCommand(environment, ['-raw', wanted.output]);
  return 'value' in own || 'value' in runs ? own : runs;
}

/** A setting from its variable, else from the environment's Terraform outputs. */
export function setting(
  environment: Environment,
  wanted: TerraformSetting,
  env: NodeJS.ProcessEnv = process.env,
  readOutput: typeof terraformOutput = terraformOutput,
): string {
  const given = env[wanted.variable]?.trim();
  if (given) return given;
  const read = readOutput(environment, wanted);
  if ('value' in read) return read.value;
  throw new InvalidValueError(
    `--env ${environment}: set ${wanted.variable}, or let \`terraform output runs\` (${wanted.field}) answer in ` +
      `infrastructure/terraform/environments/${environment} (${read.reason})`,
  );
}

/**
 * The API URL for --env, refused when its stage is the other environment's: a URL left in
 * RUNS_API_URL must not send a prd trigger to dev, or the reverse.
 */
export function checkedApiUrl(url: string, environment: Environment, from: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidValueError(`${from}: not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new InvalidValueError(`${from}: expected an http(s) URL, got "${url}"`);
  const stage = parsed.pathname.split('/').filter(Boolean)[0];
  const other = ENVIRONMENTS.find((e) => e !== environment && e === stage);
  if (other)
    throw new InvalidValueError(
      `${from} is the ${other} stage (${url}) but --env is ${environment}; use --env ${other} or the ${environment} URL`,
    );
  return url;
}

export interface TargetOptions {
  env?: Environment;
  local: boolean;
  url?: string;
}

/** The deployed API of `environment`, signed with the operator's credentials. */
export async function awsClient(
  environment: Environment,
  url: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunsApiClient> {
  const base = url
    ? checkedApiUrl(url, environment, '--url')
    : checkedApiUrl(
        setting(environment, API_URL, env),
        environment,
        env[API_URL.variable]?.trim() ? API_URL.variable : 'terraform output runs (api_url)',
      );
  const signer = executeApiSigner({ region: await signingRegion(base, env) });
  const client = httpClient(base, { signer });
  return {
    async send(request) {
      try {
        return await client.send(request);
      } catch (error) {
        throw credentialsExplained(error);
      }
    },
  };
}

/** The default provider chain's "no credentials" as one line that says what to do. */
function credentialsExplained(error: unknown): unknown {
  const e = error as Error;
  if (e?.name === 'CredentialsProviderError' || /credential/i.test(e?.message ?? ''))
    return new ExplainedError(
      `no usable AWS credentials (${e.message.split('\n')[0]}); sign in as for the aws CLI ` +
        '(AWS_PROFILE, aws sso login, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
    );
  return error;
}

/**
 * The local ledger where every local command finds it (scripts/local/runs-ledger-store.ts): the
 * DynamoDB AWS_ENDPOINT_URL* names, else the `up` stack's, else the kept folder .local/runs-ledger/
 * (through the command holding it, when one does).
 */
async function localLedgerEnv(): Promise<Record<string, string>> {
  const { acquireRunsLedger } = await import('../local/runs-ledger-store');
  const ledger = await acquireRunsLedger({
    command: 'runs',
    log: (m) => process.stderr.write(`${m}\n`),
  });
  if (!ledger.table) throw new ExplainedError(`--local: ${ledger.description}`);
  return ledger.env;
}

/** Warnings and errors of the in-process API on stderr; its per-request audit lines are not for a person here. */
const quietLogger: ApiLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (...args: unknown[]) => process.stderr.write(`runs API: ${String(args[0])}\n`),
  error: (...args: unknown[]) => process.stderr.write(`runs API: ${String(args[0])}\n`),
};

/** The runs-api code in this process over `pipeline-runs-local` of the running local stack. */
export async function localInProcessClient(): Promise<RunsApiClient> {
  const stackEnv = await localLedgerEnv();
  const [{ runsApiFromConfig }, { printedEvents, proxyEvent }, ledger, { withEnv }, { lambdaContext }] =
    await Promise.all([
      import('../../functions/runs-api/handler'),
      import('../local/api'),
      import('../local/pipelines/runs-ledger'),
      import('../local/pipelines/runner'),
      import('../local/pipelines/invoke-function'),
    ]);
  const table = stackEnv.RUNS_TABLE!;
  const api = runsApiFromConfig(
    {
      RUNS_TABLE: table,
      ENVIRONMENT: ledger.LOCAL_ENVIRONMENT,
      REQUIRE_IAM_IDENTITY: false,
      EVENT_BUS_NAME: undefined,
      AWS_REGION: process.env.AWS_REGION || 'ap-northeast-1',
    },
    quietLogger,
    { events: () => printedEvents((text) => process.stderr.write(text)) },
  );
  const client = inProcessClient(
    api,
    (request) => proxyEvent({ ...request, headers: { host: '127.0.0.1' } }),
    () => ({ ...lambdaContext('runs-api-local'), awsRequestId: randomUUID() }) as unknown as Context,
  );
  return { send: (request) => withEnv(stackEnv, () => client.send(request)) };
}

/** --local: the given server, else the default one, else in-process over the local ledger. */
export function localClient(url: string | undefined, serverUrl = LOCAL_API_URL): RunsApiClient {
  if (url) return httpClient(url);
  const server = httpClient(serverUrl);
  let fallback: Promise<RunsApiClient> | undefined;
  return {
    async send(request) {
      if (fallback) return (await fallback).send(request);
      try {
        return await server.send(request);
      } catch (error) {
        // Refused: nothing was sent, so handing the request to the in-process API repeats nothing.
        if (!(error instanceof UnreachableError) || error.code !== 'ECONNREFUSED') throw error;
        fallback = localInProcessClient();
        return (await fallback).send(request);
      }
    },
  };
}

export async function clientFor(options: TargetOptions): Promise<RunsApiClient> {
  if (options.local) return localClient(options.url);
  return awsClient(options.env!, options.url);
}
