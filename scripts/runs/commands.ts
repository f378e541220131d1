/**
 * `npm run runs -- <command> [options]`: the operator's view of the run ledger through
 * the runs API (functions/runs-api).
 *
 *   list [--pipeline P] [--status S] [--from D] [--to D] [--limit N] [--cursor C]
 *   show <pipeline> <run-id>
 *   trigger <pipeline> [--date D] [--objects A,B] [--channels X,Y]
 *   report [--date D]
 *
 * Every command takes `--env dev|prd` (the deployed API, signed with the operator's AWS
 * credentials) or `--local` (the local API; see target.ts), and `--json` (the API's own
 * JSON, exactly as it answered). Exit 0 on success, 1 when the API answered an error (its
 * {error, message} on stderr) or could not be reached, 2 on bad input (with the usage).
 */
import * as z from 'zod/mini';
import {
  timeBound,
  type RunBody,
  type RunPageBody,
  type TriggerAcceptedBody,
} from '../../functions/runs-api/schemas';
import { createS3Client } from '../../functions/shared/s3';
import { MAX_LIMIT, RUN_STATUSES } from '../../functions/shared/runs-ledger';
import { LEDGER_PIPELINES, PIPELINES, type LedgerPipeline } from '../../functions/shared/runs-pipelines';
import {
  formatUsage,
  InvalidValueError,
  parseCommand,
  reportError,
  UsageError,
  type CliIo,
  type CommandSpec,
  type OptionsSpec,
} from '../lib/args';
import { ApiError, checked, type ApiAnswer, type ApiRequest, type RunsApiClient } from './client';
import { runDetails, runsTable, triggerAccepted } from './format';
import { localReportPath, reportLink } from './report';
import { signingRegion } from './sigv4';
import {
  API_URL,
  clientFor,
  ENVIRONMENTS,
  LOCAL_API_URL,
  REPORTS_BUCKET,
  setting,
  type Environment,
  type TargetOptions,
} from './target';

const TARGET_OPTIONS = {
  env: {
    type: 'string',
    value: 'env',
    choices: ENVIRONMENTS,
    description: 'the deployed API of this environment, signed (SigV4) with your AWS credentials',
  },
  local: {
    type: 'boolean',
    description: `the local API: --url, else ${LOCAL_API_URL} (npm run local -- api), else in-process over the running local stack`,
  },
  url: {
    type: 'string',
    value: 'url',
    description: `the API base URL (with --env: instead of ${API_URL.variable} or terraform output runs)`,
  },
  json: { type: 'boolean', description: 'print the API’s JSON exactly as it answered' },
} as const satisfies OptionsSpec;

const TARGET_NOTES = [
  `--env: the URL is --url, else ${API_URL.variable}, else the api_url of \`terraform output runs\` in`,
  '  infrastructure/terraform/environments/<env>; credentials and region as for the aws CLI',
  '  (AWS_PROFILE, SSO, environment, role); the region of an execute-api URL wins.',
];

/** The pipelines a person can start (those with a manual-trigger rule). */
const TRIGGERABLE = LEDGER_PIPELINES.filter((p) => PIPELINES[p].manualSource);

/** Which trigger option fills which field of the manual-trigger Detail. */
const TRIGGER_FIELDS = { date: 'date', objects: 'objects', channels: 'channelIds' } as const;

export const COMMANDS = {
  list: {
    usage: 'npm run runs -- list',
    summary: 'Runs, newest first (one page of the API: --limit runs, then --cursor for the next).',
    options: {
      pipeline: {
        type: 'string',
        value: 'pipeline',
        choices: LEDGER_PIPELINES,
        description: 'only this pipeline',
      },
      status: {
        type: 'string',
        value: 'status',
        choices: RUN_STATUSES,
        description: 'only runs in this status',
      },
      from: {
        type: 'string',
        value: 'date',
        description:
          'started at or after: YYYY-MM-DD (a JST day) or an ISO date-time (JST without an offset)',
      },
      to: {
        type: 'string',
        value: 'date',
        description: 'started before: a YYYY-MM-DD day is included whole',
      },
      limit: {
        type: 'integer',
        min: 1,
        max: MAX_LIMIT,
        description: 'runs on the page (the API’s default 20)',
      },
      cursor: {
        type: 'string',
        value: 'cursor',
        description: 'the next page: the cursor the previous one printed',
      },
      ...TARGET_OPTIONS,
    },
    notes: [
      'examples:',
      '  npm run runs -- list --env prd --status FAILED --from 2026-11-24',
      '  npm run runs -- list --local --pipeline csv-processor --limit 5 --json',
      '',
      ...TARGET_NOTES,
    ],
  },
  show: {
    usage: 'npm run runs -- show',
    summary: 'One run: status, times, counts, error, and where its logs and console page are.',
    options: TARGET_OPTIONS,
    positionals: [
      { name: 'pipeline', description: 'the run’s pipeline', required: true, choices: LEDGER_PIPELINES },
      { name: 'run-id', description: 'its run id (the RUN ID column of list)', required: true },
    ],
    notes: [
      'example:',
      '  npm run runs -- show etl 3f0c2a8e-6b1d-4c55-9a47-0d9e2f1b7c11 --env prd',
      '',
      ...TARGET_NOTES,
    ],
  },
  trigger: {
    usage: 'npm run runs -- trigger',
    summary:
      'Start a run by hand: the API sends the pipeline’s manual-trigger EventBridge event (202); the run appears in list within seconds.',
    options: {
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'etl: the JST day to extract' },
      objects: { type: 'list', value: 'A,B', description: 'salesforce-extract: the objects to extract' },
      channels: { type: 'list', value: 'X,Y', description: 'batch-scheduler: the YouTube channel ids (UC…)' },
      ...TARGET_OPTIONS,
    },
    positionals: [{ name: 'pipeline', description: 'what to start', required: true, choices: TRIGGERABLE }],
    notes: [
      'examples:',
      '  npm run runs -- trigger etl --date 2026-11-30 --env dev',
      '  npm run runs -- trigger salesforce-extract --objects Account,Contact --env prd',
      '  npm run runs -- trigger batch-scheduler --local   (locally the event is printed, not delivered)',
      '',
      ...TARGET_NOTES,
    ],
  },
  report: {
    usage: 'npm run runs -- report',
    summary:
      'The daily report page: with --env a presigned URL (1 hour) to the latest reports/YYYY-MM-DD.html; with --local the path of the page for the local ledger.',
    options: {
      date: { type: 'string', value: 'YYYY-MM-DD', description: 'that JST day’s page instead of the latest' },
      env: TARGET_OPTIONS.env,
      local: {
        type: 'boolean',
        description: 'the page `npm run local -- report` writes for the local ledger',
      },
      json: { type: 'boolean', description: 'print {bucket, key, date, url, expiresAt} (--local: {path})' },
    },
    notes: [
      'example:',
      '  open "$(npm run --silent runs -- report --env prd)"',
      '',
      `--env: the bucket is ${REPORTS_BUCKET.variable}, else the reports_bucket_name of \`terraform output runs\``,
      '  in infrastructure/terraform/environments/<env>.',
    ],
  },
} satisfies Record<string, CommandSpec>;

type CommandName = keyof typeof COMMANDS;

const TOP: CommandSpec = {
  usage: 'npm run runs --',
  options: {},
  positionals: [{ name: 'command', description: 'what to do', required: true }],
  notes: [
    'commands:',
    ...Object.entries(COMMANDS).map(
      ([name, spec]) => `  ${name.padEnd(9)}${spec.summary.split(':')[0]!.split('(')[0]!.trim()}`,
    ),
    '',
    'each needs --env dev|prd or --local; `npm run runs -- <command> --help` lists its options.',
  ],
};

/** Exactly one of --env / --local. */
function targetOf(spec: CommandSpec, values: { env?: string; local: boolean; url?: string }): TargetOptions {
  if (values.env && values.local) throw new UsageError('give --env or --local, not both', formatUsage(spec));
  if (!values.env && !values.local)
    throw new UsageError('say which API: --env dev|prd or --local', formatUsage(spec));
  return { env: values.env as Environment | undefined, local: values.local, url: values.url };
}

/** How to repeat the target in a printed command. */
const targetArgs = (target: TargetOptions) =>
  [target.local ? '--local' : `--env ${target.env}`, ...(target.url ? [`--url ${target.url}`] : [])].join(
    ' ',
  );

function checkDate(option: string, value: string | undefined, edge: 'from' | 'to'): void {
  if (value !== undefined && timeBound(value, edge) === undefined)
    throw new InvalidValueError(
      `--${option} must be a date YYYY-MM-DD (a JST day) or an ISO-8601 date-time, got "${value}"`,
    );
}

interface Out {
  print: (text: string) => void;
  json: boolean;
}

type Print = (text: string) => void;

/** The request; an API error prints its JSON (with --json) and becomes ApiError. */
async function call(client: RunsApiClient, request: ApiRequest, out: Out): Promise<ApiAnswer> {
  try {
    return checked(await client.send(request));
  } catch (error) {
    if (error instanceof ApiError && out.json && error.answer.json !== undefined)
      out.print(`${error.answer.text}\n`);
    throw error;
  }
}

const segment = (value: string) => encodeURIComponent(value);

function detailFields(pipeline: LedgerPipeline): string[] {
  const schema = PIPELINES[pipeline].manualDetail as
    { def?: { shape?: Record<string, unknown> } } | undefined;
  return Object.keys(schema?.def?.shape ?? {});
}

/**
 * The manual-trigger body from the options, checked with the pipeline's own Detail schema
 * (the one the API applies) so a wrong option is a usage error before anything is sent.
 */
export function triggerBody(
  pipeline: LedgerPipeline,
  values: { date?: string; objects: string[]; channels: string[] },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (values.date !== undefined) body.date = values.date;
  if (values.objects.length) body.objects = values.objects;
  if (values.channels.length) body.channelIds = values.channels;
  const accepted = Object.entries(TRIGGER_FIELDS)
    .filter(([, field]) => detailFields(pipeline).includes(field))
    .map(([option]) => `--${option}`);
  const optionOf = (field: string) =>
    Object.entries(TRIGGER_FIELDS).find(([, f]) => f === field)?.[0] ?? field;
  for (const field of Object.keys(body))
    if (!detailFields(pipeline).includes(field))
      throw new InvalidValueError(
        `--${optionOf(field)} is not an option of ${pipeline}'s trigger (${accepted.length ? `it takes ${accepted.join(', ')}` : 'it takes none'})`,
      );
  const parsed = z.safeParse(PIPELINES[pipeline].manualDetail!, body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? 'date');
    const value = body[field];
    throw new InvalidValueError(
      `--${optionOf(field)}${value === undefined ? '' : ` ${[value].flat().join(',')}`}: ${issue.message}`,
    );
  }
  return body;
}

async function list(argv: string[], print: Print): Promise<number> {
  const spec = COMMANDS.list;
  const { values } = parseCommand(spec, argv);
  const out: Out = { print, json: values.json };
  const target = targetOf(spec, values);
  checkDate('from', values.from, 'from');
  checkDate('to', values.to, 'to');
  const client = await clientFor(target);
  const answer = await call(
    client,
    {
      method: 'GET',
      path: '/runs',
      query: {
        pipeline: values.pipeline,
        status: values.status,
        from: values.from,
        to: values.to,
        limit: values.limit === undefined ? undefined : String(values.limit),
        cursor: values.cursor,
      },
    },
    out,
  );
  if (out.json) out.print(`${answer.text.trimEnd()}\n`);
  else {
    const page = answer.json as RunPageBody;
    const more = page.cursor ? `\nmore runs: repeat with --cursor ${page.cursor}` : '';
    out.print(`${runsTable(page)}${more}\n`);
  }
  return 0;
}

async function show(argv: string[], print: Print): Promise<number> {
  const spec = COMMANDS.show;
  const { values, positionals } = parseCommand(spec, argv);
  const out: Out = { print, json: values.json };
  const target = targetOf(spec, values);
  const [pipeline, runId] = positionals as [string, string];
  const client = await clientFor(target);
  const answer = await call(
    client,
    { method: 'GET', path: `/runs/${segment(pipeline)}/${segment(runId)}` },
    out,
  );
  out.print(out.json ? `${answer.text.trimEnd()}\n` : `${runDetails(answer.json as RunBody)}\n`);
  return 0;
}

async function trigger(argv: string[], print: Print): Promise<number> {
  const spec = COMMANDS.trigger;
  const { values, positionals } = parseCommand(spec, argv);
  const out: Out = { print, json: values.json };
  const target = targetOf(spec, values);
  const pipeline = positionals[0] as LedgerPipeline;
  const body = triggerBody(pipeline, values);
  const client = await clientFor(target);
  const answer = await call(client, { method: 'POST', path: `/runs/${segment(pipeline)}`, body }, out);
  out.print(
    out.json
      ? `${answer.text.trimEnd()}\n`
      : `${triggerAccepted(answer.json as TriggerAcceptedBody, targetArgs(target))}\n`,
  );
  return 0;
}

async function report(argv: string[], print: Print): Promise<number> {
  const spec = COMMANDS.report;
  const { values } = parseCommand(spec, argv);
  const out: Out = { print, json: values.json };
  const target = targetOf(spec, { ...values, url: undefined });
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date))
    throw new InvalidValueError(`--date must be YYYY-MM-DD, got "${values.date}"`);
  if (target.local) {
    const path = await localReportPath(values.date);
    out.print(out.json ? `${JSON.stringify({ path })}\n` : `${path}\n`);
    return 0;
  }
  const environment = target.env!;
  const bucket = setting(environment, REPORTS_BUCKET);
  // The region as for the API (AWS_REGION, the profile's, ap-northeast-1): presigning needs the bucket's.
  const s3 = createS3Client({ ...process.env, AWS_REGION: await signingRegion('') });
  const link = await reportLink(s3, bucket, { date: values.date });
  out.print(out.json ? `${JSON.stringify(link)}\n` : `${link.url}\n`);
  if (!out.json)
    process.stderr.write(`${link.key} (${environment}); the link works until ${link.expiresAt}\n`);
  return 0;
}

const RUNNERS: Record<CommandName, (argv: string[], print: Print) => Promise<number>> = {
  list,
  show,
  trigger,
  report,
};

/** The CLI on `argv`; returns the exit code (errors are reported on io.stderr, never thrown). */
export async function runRuns(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (!command || command.startsWith('-')) {
      parseCommand(TOP, argv);
      throw new UsageError('missing <command>', formatUsage(TOP));
    }
    const run = RUNNERS[command as CommandName];
    if (!run)
      throw new UsageError(
        `unknown command "${command}" (valid: ${Object.keys(COMMANDS).join(', ')})`,
        formatUsage(TOP),
      );
    return await run(rest, io.stdout);
  } catch (error) {
    return reportError(error, io);
  }
}
