import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadModule, repoRoot, type TfModule } from '../../../infrastructure/terraform/tests/hcl';
import { salesforceWatermarkTable } from './resources';
import { tableSpecOf, terraformTables } from './terraform-tables';
import {
  ASL_FILE,
  DEFAULT_OBJECTS,
  functionEnv,
  objectConfigs,
  RAW_BUCKET,
  renderDefinition,
} from './salesforce-extract';

/**
 * The local runner and infrastructure/terraform/modules/salesforce-extract agree on what the
 * function and the state machine are given: the watermark table (name, key), the ASL template's
 * placeholders, and the function's environment variable names.
 */
const dir = path.join(repoRoot, 'infrastructure/terraform/modules/salesforce-extract');
let mod: TfModule;

beforeAll(async () => {
  mod = await loadModule(dir);
});

it('creates the watermark table the local runner creates', () => {
  const tables = terraformTables(mod);
  expect(tables).toHaveLength(1);
  const body = tables[0]!.body;
  const spec = tableSpecOf(body, (name) =>
    String(name).replace('${local.pipeline}', 'salesforce-extract').replace('${var.environment}', 'local'),
  );
  expect(spec).toEqual(salesforceWatermarkTable('local'));
  expect(body.range_key).toBeUndefined();
});

it('fills every placeholder of the ASL template, as the local runner does', async () => {
  const workflow = readFileSync(path.join(dir, 'workflow.tf'), 'utf8');
  const call = /templatefile\([^,]+salesforce-extract\.asl\.json",\s*\{([^}]*)\}/.exec(workflow)?.[1];
  expect(call).toBeDefined();
  const terraform = [...call!.matchAll(/^\s*(\w+)\s*=/gm)].map((m) => m[1]!).sort();
  const asl = readFileSync(path.join(repoRoot, 'functions', ASL_FILE), 'utf8');
  expect([...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!))].sort()).toEqual(terraform);
  // renderTemplate throws on a placeholder without a value.
  const definition = (await renderDefinition()) as { States: Record<string, unknown> };
  expect(Object.keys(definition.States)).toContain('Preflight');
});

it('gives the function every variable the local runner gives it (Lambda sets the Powertools ones)', () => {
  const fn = mod.moduleCalls.find((m) => m.body.source === '../lambda-function');
  const terraform = Object.keys(fn!.body.environment_variables as Record<string, unknown>);
  const local = Object.keys(
    functionEnv({ rawBucket: RAW_BUCKET, watermarkTable: 'x' }, objectConfigs(DEFAULT_OBJECTS)),
  ).filter((k) => !k.startsWith('POWERTOOLS_') && !k.startsWith('AWS_LAMBDA_'));
  expect(terraform).toEqual(expect.arrayContaining(local));
});
