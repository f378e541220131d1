import path from 'node:path';
import {
  loadModule,
  repoRoot,
  type HclValue,
  type TfModule,
} from '../../../infrastructure/terraform/tests/hcl';
import { LOCAL_ACCOUNT } from '../stepfunctions/asl';
import { STATE_MACHINE_NAME, csvProcessorResources, functionEnv, localNames } from './csv-processor';
import { declaredAttributes, keyAttributes, tableSpecOf, terraformTables } from './terraform-tables';

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

const byName = <T extends { name: string }>(items: T[]) =>
  [...items].sort((a, b) => a.name.localeCompare(b.name));

describe('csv-processor local resources and the Terraform module', () => {
  it('create the same DynamoDB tables: names, keys, attribute types, TTL attribute, GSIs', () => {
    const terraform = terraformTables(mod).map((t) => tableSpecOf(t.body, render));
    expect(terraform.length).toBeGreaterThan(0);
    expect(byName(csvProcessorResources(localNames(ENVIRONMENT)).tables)).toEqual(byName(terraform));
  });

  it('declare every attribute a key or index uses, and no other', () => {
    // The building block declares the attributes its keys and indexes name, and no other:
    // the local CreateTable request must declare the same ones.
    const local = csvProcessorResources(localNames(ENVIRONMENT)).tables;
    for (const table of terraformTables(mod)) {
      const name = render(table.body.name);
      const spec = local.find((l) => l.name === name);
      expect(spec).toBeDefined();
      expect(declaredAttributes(spec!)).toEqual(keyAttributes(table.body).sort());
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
      const table = /^\$\{module\.(\w+)\.table\.name\}$/.exec(expression)?.[1];
      if (table) return render(terraformTables(mod).find((t) => t.call === table)?.body.name);
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
              ...variables.matchAll(/(\w+)\s*=\s*((?:module\.\w+\.bucket)|(?:module\.\w+\.table\.name))/g),
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
