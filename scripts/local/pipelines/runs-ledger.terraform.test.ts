import path from 'node:path';
import {
  loadModule,
  nestedBlocks,
  render,
  repoRoot,
  type HclObject,
  type TfModule,
} from '../../../infrastructure/terraform/tests/hcl';
import { LEDGER_INDEXES } from '../../../functions/shared/runs-ledger';
import { LEDGER_PIPELINES } from '../../../functions/shared/runs-pipelines';
import type { TableSpec } from './resources';
import { declaredAttributes, keyAttributes, tableSpecOf, terraformTables } from './terraform-tables';
import { LOCAL_ENVIRONMENT, runsLedgerTable } from './runs-ledger';

/**
 * The local stack creates the run ledger from runsLedgerTable (scripts/local/pipelines/
 * runs-ledger.ts); infrastructure/terraform/modules/runs creates the real one. Both are read
 * here, so a key, index, attribute type or TTL attribute changed on one side only fails.
 */
let mod: TfModule;
let table: HclObject;
/** The dynamodb-table building block's table resource (what every call gets). */
let block: HclObject;

beforeAll(async () => {
  mod = await loadModule(path.join(repoRoot, 'infrastructure/terraform/modules/runs'));
  const tables = terraformTables(mod);
  expect(tables).toHaveLength(1);
  table = tables[0]!.body;
  const building = await loadModule(path.join(repoRoot, 'infrastructure/terraform/modules/dynamodb-table'));
  block = building.resources.find((r) => r.type === 'aws_dynamodb_table')!.body;
});

/** A local of the runs module, from whichever of its locals blocks declares it. */
const moduleLocal = (name: string): unknown => {
  const locals = Object.values(mod.files).flatMap((file) => {
    const blocks = file['locals'];
    return Array.isArray(blocks) ? (blocks as HclObject[]) : blocks ? [blocks as HclObject] : [];
  });
  return locals.find((l) => l[name] !== undefined)?.[name];
};

/** The Terraform table as the local TableSpec. */
const terraformSpec = (environment: string): TableSpec =>
  tableSpecOf(table, (name) => String(render(name, { module: mod, vars: { environment } })));

describe('the run ledger: local stack and Terraform module', () => {
  it('create the same table: name, keys, attribute types, TTL attribute, local and global indexes', () => {
    expect(terraformSpec(LOCAL_ENVIRONMENT)).toEqual(runsLedgerTable(LOCAL_ENVIRONMENT));
  });

  it('name the indexes the ledger code queries', () => {
    const spec = terraformSpec(LOCAL_ENVIRONMENT);
    expect(spec.localIndexes?.map((i) => i.name)).toEqual([LEDGER_INDEXES.byStartedAt]);
    expect(spec.indexes?.map((i) => i.name)).toEqual([LEDGER_INDEXES.byStatus]);
  });

  it('name the table pipeline-runs-<env> in every environment', () => {
    for (const environment of ['dev', 'prd']) {
      expect(terraformSpec(environment).name).toBe(`pipeline-runs-${environment}`);
    }
  });

  it('declare every attribute a key or index uses, and no other', () => {
    // The building block declares the attributes the keys and indexes name; locally the same.
    expect(declaredAttributes(runsLedgerTable(LOCAL_ENVIRONMENT))).toEqual(keyAttributes(table).sort());
  });

  it('give the stream processor old and new images, on demand, with PITR and the key (AWS only)', () => {
    expect(table['stream_view_type']).toBe('NEW_AND_OLD_IMAGES');
    // The key comes in the pipeline's settings, as for every block of the module.
    expect(table['settings']).toBe('${local.function_defaults}');
    expect(String(moduleLocal('function_defaults'))).toContain('kms_key_arn = module.key.arn');
    expect(block['stream_enabled']).toBe('${var.stream_view_type != null}');
    expect(block['billing_mode']).toBe('PAY_PER_REQUEST');
    expect(nestedBlocks(block, 'point_in_time_recovery')[0]?.['enabled']).toBe(true);
    const sse = nestedBlocks(block, 'server_side_encryption')[0];
    expect(sse?.['enabled']).toBe(true);
    expect(sse?.['kms_key_arn']).toBe('${var.settings.kms_key_arn}');
  });

  it("show on the dashboard every pipeline the ledger knows (the stream processor's metrics)", () => {
    expect(moduleLocal('ledger_pipelines')).toEqual([...LEDGER_PIPELINES]);
  });
});
