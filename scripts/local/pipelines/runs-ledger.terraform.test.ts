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
import type { IndexSpec, KeyAttribute, TableSpec } from './resources';
import { LOCAL_ENVIRONMENT, runsLedgerTable } from './runs-ledger';

/**
 * The local stack creates the run ledger from runsLedgerTable (scripts/local/pipelines/
 * runs-ledger.ts); infrastructure/terraform/modules/runs creates the real one. Both are read
 * here, so a key, index, attribute type or TTL attribute changed on one side only fails.
 */
let mod: TfModule;
let table: HclObject;

beforeAll(async () => {
  mod = await loadModule(path.join(repoRoot, 'infrastructure/terraform/modules/runs'));
  const tables = mod.resources.filter((r) => r.type === 'aws_dynamodb_table');
  expect(tables).toHaveLength(1);
  table = tables[0]!.body;
});

const text = (value: unknown): string => {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  return value;
};

/** The Terraform table as the local TableSpec: LSIs share the table's hash key. */
function terraformSpec(environment: string): TableSpec {
  const types = new Map(
    nestedBlocks(table, 'attribute').map((a) => [text(a['name']), text(a['type']) as KeyAttribute['type']]),
  );
  const key = (name: unknown): KeyAttribute => {
    const type = types.get(text(name));
    if (!type) throw new Error(`key ${String(name)} has no attribute block`);
    return { name: text(name), type };
  };
  const index = (block: HclObject, hashKey: unknown): IndexSpec => ({
    name: text(block['name']),
    hashKey: key(hashKey),
    ...(block['range_key'] ? { rangeKey: key(block['range_key']) } : {}),
    projection: text(block['projection_type']) as IndexSpec['projection'],
  });
  const ttl = nestedBlocks(table, 'ttl')[0];
  return {
    name: text(render(table['name']!, { module: mod, vars: { environment } })),
    hashKey: key(table['hash_key']),
    ...(table['range_key'] ? { rangeKey: key(table['range_key']) } : {}),
    ...(ttl && ttl['enabled'] !== false ? { ttlAttribute: text(ttl['attribute_name']) } : {}),
    localIndexes: nestedBlocks(table, 'local_secondary_index').map((i) => index(i, table['hash_key'])),
    indexes: nestedBlocks(table, 'global_secondary_index').map((i) => index(i, i['hash_key'])),
  };
}

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
    const declared = nestedBlocks(table, 'attribute').map((a) => a['name']);
    const used = new Set(
      [
        table['hash_key'],
        table['range_key'],
        ...nestedBlocks(table, 'local_secondary_index').map((i) => i['range_key']),
        ...nestedBlocks(table, 'global_secondary_index').flatMap((i) => [i['hash_key'], i['range_key']]),
      ].filter(Boolean),
    );
    expect([...declared].sort()).toEqual([...used].sort());
  });

  it('give the stream processor old and new images, on demand, with PITR and the key (AWS only)', () => {
    expect(table['stream_enabled']).toBe(true);
    expect(table['stream_view_type']).toBe('NEW_AND_OLD_IMAGES');
    expect(table['billing_mode']).toBe('PAY_PER_REQUEST');
    expect(nestedBlocks(table, 'point_in_time_recovery')[0]?.['enabled']).toBe(true);
    const sse = nestedBlocks(table, 'server_side_encryption')[0];
    expect(sse?.['enabled']).toBe(true);
    expect(sse?.['kms_key_arn']).toBe('${module.key.arn}');
  });

  it("show on the dashboard every pipeline the ledger knows (the stream processor's metrics)", () => {
    const locals = Object.values(mod.files).flatMap((file) => {
      const blocks = file['locals'];
      return Array.isArray(blocks) ? (blocks as HclObject[]) : blocks ? [blocks as HclObject] : [];
    });
    const pipelines = locals.find((l) => l['ledger_pipelines'] !== undefined)?.['ledger_pipelines'];
    expect(pipelines).toEqual([...LEDGER_PIPELINES]);
  });
});
