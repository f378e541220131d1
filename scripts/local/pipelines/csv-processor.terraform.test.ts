import path from 'node:path';
import {
  loadModule,
  repoRoot,
  type HclObject,
  type HclValue,
  type TfModule,
} from '../../../infrastructure/terraform/tests/hcl';
import { LOCAL_ACCOUNT } from '../stepfunctions/asl';
import { STATE_MACHINE_NAME, csvProcessorResources, functionEnv, localNames } from './csv-processor';
import type { TableSpec } from './resources';

/**
 * The local stack creates csv-processor's buckets and tables from one spec
 * (csvProcessorResources); the Terraform module creates the real ones. Both are read
 * here, every *.tf file of the module, so a table, key, index or TTL attribute
 * changed on one side only fails this test.
 */
const ENVIRONMENT = 'local';
let mod: TfModule;

beforeAll(async () => {
  mod = await loadModule(path.join(repoRoot, 'infrastructure/terraform/modules/csv-processor'));
});

function locals(): Record<string, HclValue> {
  const merged: Record<string, HclValue> = {};
  for (const file of Object.values(mod.files)) {
    const blocks = file.locals;
    for (const block of Array.isArray(blocks) ? blocks : blocks ? [blocks] : []) Object.assign(merged, block);
  }
  return merged;
}

/** Renders a Terraform name expression for the local environment and account. */
function render(expression: HclValue | undefined): string {
  if (typeof expression !== 'string')
    throw new Error(`not a string expression: ${JSON.stringify(expression)}`);
  const values = locals();
  return expression.replace(/\$\{([^}]+)\}/g, (_, ref: string) => {
    if (ref === 'var.environment') return ENVIRONMENT;
    if (ref === 'local.account' || ref === 'data.aws_caller_identity.current.account_id')
      return LOCAL_ACCOUNT;
    const local = /^local\.(\w+)$/.exec(ref)?.[1];
    if (local && local in values) return render(values[local]);
    throw new Error(`cannot render \${${ref}} in ${expression}`);
  });
}

const first = (v: HclValue | undefined): HclObject =>
  Array.isArray(v) ? (v[0] as HclObject) : (v as HclObject);
const list = (v: HclValue | undefined): HclObject[] =>
  Array.isArray(v) ? (v as HclObject[]) : v ? [v as HclObject] : [];

/** A Terraform aws_dynamodb_table as the local TableSpec shape. */
function tableOf(body: HclObject): TableSpec {
  const types = Object.fromEntries(
    list(body.attribute).map((a) => [a.name as string, a.type as 'S' | 'N' | 'B']),
  );
  const key = (name: HclValue | undefined) =>
    typeof name === 'string' ? { name, type: types[name] ?? ('?' as 'S') } : undefined;
  const ttl = first(body.ttl);
  const indexes = list(body.global_secondary_index).map((i) => ({
    name: i.name as string,
    hashKey: key(i.hash_key)!,
    ...(i.range_key ? { rangeKey: key(i.range_key) } : {}),
    projection: i.projection_type as 'ALL',
  }));
  return {
    name: render(body.name),
    hashKey: key(body.hash_key)!,
    ...(body.range_key ? { rangeKey: key(body.range_key) } : {}),
    ...(ttl && ttl.enabled !== false ? { ttlAttribute: ttl.attribute_name as string } : {}),
    ...(indexes.length ? { indexes } : {}),
  };
}

const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

describe('csv-processor local resources and the Terraform module', () => {
  it('create the same DynamoDB tables: names, keys, attribute types, TTL attribute, GSIs', () => {
    const terraform = mod.resources
      .filter((r) => r.type === 'aws_dynamodb_table')
      .map((r) => tableOf(r.body));
    expect(terraform.length).toBeGreaterThan(0);
    expect(byName(csvProcessorResources(localNames(ENVIRONMENT)).tables)).toEqual(byName(terraform));
  });

  it('declare every attribute a key or index uses, and no other', () => {
    for (const table of mod.resources.filter((r) => r.type === 'aws_dynamodb_table')) {
      const declared = list(table.body.attribute).map((a) => a.name);
      const used = new Set(
        [
          table.body.hash_key,
          table.body.range_key,
          ...list(table.body.global_secondary_index).flatMap((i) => [i.hash_key, i.range_key]),
        ].filter(Boolean),
      );
      expect([...declared].sort()).toEqual([...used].sort());
    }
  });

  it('create the same buckets', () => {
    const terraform = mod.moduleCalls
      .filter((m) => m.body.source === '../s3-bucket')
      .map((m) => ({ name: render(m.body.name) }));
    expect(terraform.length).toBeGreaterThan(0);
    expect(byName(csvProcessorResources(localNames(ENVIRONMENT)).buckets)).toEqual(byName(terraform));
  });

  it('give the functions the same names for the same resources', () => {
    // e.g. OUTPUT_BUCKET = module.output_bucket.bucket: locally the output bucket's local name.
    const resourceName = (expression: string): string | undefined => {
      const bucket = /^\$\{module\.(\w+)\.bucket\}$/.exec(expression)?.[1];
      if (bucket) return render(mod.moduleCalls.find((m) => m.name === bucket)?.body.name);
      const table = /^\$\{aws_dynamodb_table\.(\w+)\.name\}$/.exec(expression)?.[1];
      if (table)
        return render(
          mod.resources.find((r) => r.type === 'aws_dynamodb_table' && r.name === table)?.body.name,
        );
      return undefined;
    };
    const local = functionEnv(localNames(ENVIRONMENT));
    let compared = 0;
    for (const fn of mod.moduleCalls.filter((m) => m.body.source === '../lambda-function')) {
      const variables = fn.body.environment_variables;
      // A literal map parses into entries; `merge(local.x, { K = ref })` stays one expression string.
      const entries: Array<[string, string]> =
        typeof variables === 'string'
          ? [
              ...variables.matchAll(
                /(\w+)\s*=\s*((?:module\.\w+\.bucket)|(?:aws_dynamodb_table\.\w+\.name))/g,
              ),
            ].map((m) => [m[1]!, `\${${m[2]}}`])
          : Object.entries(
              variables && typeof variables === 'object' && !Array.isArray(variables) ? variables : {},
            ).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : []));
      for (const [key, expression] of entries) {
        const expected = resourceName(expression);
        if (expected === undefined) continue;
        expect({ [key]: local[key] }).toEqual({ [key]: expected });
        compared++;
      }
    }
    // OUTPUT_BUCKET, FILE_CLAIMS_TABLE, AUDIT_TABLE at least.
    expect(compared).toBeGreaterThanOrEqual(3);
  });

  it('deploy the state machine under the name the local runner gives it', () => {
    const workflow = mod.moduleCalls.find((m) => m.body.source === '../state-machine');
    expect(workflow?.body.name).toBe(STATE_MACHINE_NAME);
  });
});
