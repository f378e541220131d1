/**
 * docs/runs-api.openapi.json, generated from the zod schemas runs-api validates with
 * (functions/runs-api/schemas.ts, and each pipeline's manual-trigger detail from
 * functions/shared/runs-pipelines.ts), so the document cannot drift from the code.
 *
 *   npm run docs:openapi              rewrite the document
 *   npm run docs:openapi -- --check   exit 1 when the committed document is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { repositoryRoot } from '../../functions/shared/assets';
import { PIPELINES, type LedgerPipeline } from '../../functions/shared/runs-pipelines';
import {
  errorBody,
  healthSchema,
  jsonValue,
  listRunsQueries,
  pipelineName,
  runIdParameter,
  runPageSchema,
  runSchema,
  triggerAcceptedSchema,
} from '../../functions/runs-api/schemas';

export const OPENAPI_PATH = 'docs/runs-api.openapi.json';

type Json = Record<string, unknown>;

const pascal = (name: string) =>
  name.replace(/(^|-)([a-z])/g, (_match: string, _dash: string, letter: string) => letter.toUpperCase());

/** The pipelines a person can start, with the component name of their request body. */
function triggerBodies(): Array<{ pipeline: LedgerPipeline; id: string; schema: z.ZodMiniType }> {
  return Object.values(PIPELINES).flatMap((spec) =>
    spec.manualSource && spec.manualDetail
      ? [{ pipeline: spec.name, id: `${pascal(spec.name)}Trigger`, schema: spec.manualDetail }]
      : [],
  );
}

/** Every named schema as a component; references between them become $refs. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  const named: Array<[string, z.ZodMiniType]> = [
    ['Run', runSchema()],
    ['RunPage', runPageSchema()],
    ['TriggerAccepted', triggerAcceptedSchema()],
    ['Health', healthSchema()],
    ['Error', errorBody()],
    ['JsonValue', jsonValue()],
  ];
  for (const [id, schema] of named) registry.add(schema, { id });
  const bodies = triggerBodies();
  for (const body of bodies) registry.add(body.schema, { id: body.id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, Json> };
  const components: Record<string, Json> = {};
  for (const [id, schema] of Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    const body = bodies.find((b) => b.id === id);
    components[id] = body
      ? {
          ...rest,
          description:
            `The body of POST /runs/${body.pipeline}: what the manual-trigger Detail carries besides ` +
            `"environment" (EventBridge Source "${PIPELINES[body.pipeline].manualSource}"). Unknown fields are refused.`,
        }
      : rest;
  }
  return components;
}

/** A query object schema as OpenAPI parameters, descriptions lifted to the parameter. */
function queryParameters(schema: z.ZodMiniType): Json[] {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as {
    properties: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(json.properties).map(([name, property]) => {
    const { description, examples, ...rest } = property;
    return {
      name,
      in: 'query',
      required: json.required?.includes(name) ?? false,
      ...(description ? { description } : {}),
      schema: rest,
      ...(Array.isArray(examples) && examples.length ? { example: examples[0] } : {}),
    };
  });
}

function pathParameter(name: string, schema: z.ZodMiniType, description: string): Json {
  const {
    description: _own,
    $schema: _dialect,
    ...rest
  } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
  }) as Json;
  return { name, in: 'path', required: true, description, schema: rest };
}

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
const json = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = (...codes: string[]) =>
  Object.fromEntries(codes.map((code) => [code, { $ref: `#/components/responses/${code}` }]));

export function buildOpenApiDocument(): Json {
  const pipeline = pathParameter('pipeline', pipelineName(), 'A pipeline of the ledger.');
  const runId = pathParameter('runId', runIdParameter(), 'The run id (see Run.runId).');
  const bodies = triggerBodies();
  return {
    openapi: '3.1.0',
    info: {
      title: 'runs-api',
      version: '1.0.0',
      description: [
        'The ledger of every pipeline run (DynamoDB `pipeline-runs-<env>`) and manual runs.',
        '',
        'Every route takes IAM authorization: sign requests with SigV4 (service `execute-api`) and ' +
          'credentials allowed `execute-api:Invoke` on the API. Errors are JSON `{error, message}`; ' +
          'a 400 also names the query parameter, path segment or body field at fault in `field`.',
        '',
        'Times: the ledger keeps UTC (ISO-8601 with milliseconds). The `from` and `to` filters take a ' +
          'date YYYY-MM-DD as a day in Japan (JST, UTC+9), so `from=2026-12-01&to=2026-12-01` is all of ' +
          '1 December in Japan; a date-time without an offset is JST too.',
        '',
        'A manual run (POST /runs/{pipeline}) sends the EventBridge event the runbooks send with ' +
          '`aws events put-events` (DetailType `manual-trigger`, Detail `{"environment": …, …}`) and ' +
          'answers 202 with the event id. The run id is not known then (a state machine names its ' +
          'execution, a function run is keyed by its request id): poll the `poll` URL, the runs of that ' +
          'pipeline started since the trigger, for the earliest run with trigger `manual`.',
      ].join('\n'),
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.ap-northeast-1.amazonaws.com/{stage}',
        description: 'The API of an environment (terraform output of the runs module).',
        variables: {
          apiId: { default: 'abcdef1234', description: 'The REST API id.' },
          stage: { default: 'dev', enum: ['dev', 'prd'], description: 'One stage per environment.' },
        },
      },
      { url: 'http://127.0.0.1:3100', description: '`npm run local -- api` over the local ledger (no IAM).' },
    ],
    security: [{ sigv4: [] }],
    paths: {
      '/runs': {
        get: {
          operationId: 'listRuns',
          summary: 'Runs of every pipeline, newest first, paged with an opaque cursor.',
          parameters: queryParameters(listRunsQueries().ListRunsQuery),
          responses: { '200': json(ref('RunPage'), 'A page of runs.'), ...errors('400', '401', '500') },
        },
      },
      '/runs/{pipeline}': {
        parameters: [pipeline],
        get: {
          operationId: 'listPipelineRuns',
          summary: 'Runs of one pipeline, newest first (GET /runs?pipeline= by its path).',
          parameters: queryParameters(listRunsQueries().ListPipelineRunsQuery),
          responses: {
            '200': json(ref('RunPage'), 'A page of runs.'),
            ...errors('400', '401', '404', '500'),
          },
        },
        post: {
          operationId: 'triggerRun',
          summary: 'Start a manual run through the pipeline’s EventBridge manual-trigger rule.',
          description:
            `Pipelines with a manual trigger: ${bodies.map((b) => b.pipeline).join(', ')}; the body is the ` +
            'one named for the pipeline (an empty body starts a run with the pipeline’s defaults). A pipeline ' +
            'without a manual trigger answers 405.',
          requestBody: {
            required: false,
            content: { 'application/json': { schema: { anyOf: bodies.map((b) => ref(b.id)) } } },
          },
          responses: {
            '202': {
              ...json(ref('TriggerAccepted'), 'EventBridge accepted the event.'),
              headers: {
                Location: { description: 'The poll URL.', schema: { type: 'string' } },
              },
            },
            ...errors('400', '401', '404', '405', '500', '502'),
          },
        },
      },
      '/runs/{pipeline}/{runId}': {
        parameters: [pipeline, runId],
        get: {
          operationId: 'getRun',
          summary: 'One run.',
          responses: { '200': json(ref('Run'), 'The run.'), ...errors('400', '401', '404', '500') },
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          summary: 'The API answers (the ledger is not read).',
          responses: { '200': json(ref('Health'), 'Up.'), ...errors('401', '500') },
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          description: 'AWS Signature Version 4 (API Gateway IAM authorization).',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: componentSchemas(),
      responses: {
        '400': json(ref('Error'), 'A malformed query string, path or body; `field` names it.'),
        '401': json(ref('Error'), 'The request reached the function without an IAM caller.'),
        '404': json(ref('Error'), 'An unknown route, pipeline or run.'),
        '405': {
          ...json(ref('Error'), 'The path exists without this method.'),
          headers: { Allow: { description: 'The methods the path takes.', schema: { type: 'string' } } },
        },
        '500': json(ref('Error'), 'A fault of the API; the message carries the request id of its log line.'),
        '502': json(
          ref('Error'),
          'EventBridge refused the event (FailedEntryCount > 0): nothing was started.',
        ),
      },
    },
  };
}

/** The document as committed: prettier's JSON, as `npm run format` would leave it. */
export async function renderOpenApi(): Promise<string> {
  const prettier = await import('prettier');
  const file = join(repositoryRoot(), OPENAPI_PATH);
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(JSON.stringify(buildOpenApiDocument()), { ...options, parser: 'json' });
}

async function main(argv: string[]): Promise<number> {
  const file = join(repositoryRoot(), OPENAPI_PATH);
  const rendered = await renderOpenApi();
  if (argv.includes('--check')) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      // Missing counts as stale.
    }
    if (committed === rendered) return 0;
    process.stderr.write(`${OPENAPI_PATH} is stale: run \`npm run docs:openapi\` and commit it\n`);
    return 1;
  }
  writeFileSync(file, rendered);
  process.stdout.write(`wrote ${OPENAPI_PATH}\n`);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
