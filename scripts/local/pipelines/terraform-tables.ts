import type { HclObject, HclValue, TfModule } from '../../../infrastructure/terraform/tests/hcl';
import { createTableInput, type IndexSpec, type KeyAttribute, type TableSpec } from './resources';

/**
 * The tables a pipeline module creates through the dynamodb-table building block, read from
 * its module calls as the local TableSpec shape: the *.terraform.test.ts files compare them
 * with the local stack's declarations. The building block declares every attribute a key or
 * index names, as a string unless attribute_types says otherwise.
 */
export interface TerraformTable {
  /** The module call's name (module.<call>.table). */
  call: string;
  body: HclObject;
}

export const DYNAMODB_TABLE_SOURCE = '../dynamodb-table';

export function terraformTables(mod: TfModule): TerraformTable[] {
  return mod.moduleCalls
    .filter((m) => m.body['source'] === DYNAMODB_TABLE_SOURCE)
    .map((m) => ({ call: m.name, body: m.body }));
}

const text = (value: HclValue | undefined): string => {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  return value;
};

const objects = (value: HclValue | undefined): HclObject[] =>
  Array.isArray(value) ? (value as HclObject[]) : [];

/** Attribute names the table's keys and indexes use: what the building block declares. */
export function keyAttributes(body: HclObject): string[] {
  return [
    ...new Set(
      [
        body['hash_key'],
        body['range_key'],
        ...objects(body['global_secondary_indexes']).flatMap((i) => [i['hash_key'], i['range_key']]),
        ...objects(body['local_secondary_indexes']).map((i) => i['range_key']),
      ].filter((k): k is string => typeof k === 'string'),
    ),
  ];
}

/** A dynamodb-table module call as the local TableSpec, its name rendered by `renderName`. */
export function tableSpecOf(body: HclObject, renderName: (expression: HclValue) => string): TableSpec {
  const types = (body['attribute_types'] ?? {}) as Record<string, KeyAttribute['type']>;
  const key = (name: HclValue | undefined): KeyAttribute => ({
    name: text(name),
    type: types[text(name)] ?? 'S',
  });
  const index = (i: HclObject, hashKey: HclValue | undefined): IndexSpec => ({
    name: text(i['name']),
    hashKey: key(hashKey),
    ...(i['range_key'] ? { rangeKey: key(i['range_key']) } : {}),
    projection: (i['projection_type'] ?? 'ALL') as IndexSpec['projection'],
  });
  const indexes = objects(body['global_secondary_indexes']).map((i) => index(i, i['hash_key']));
  const localIndexes = objects(body['local_secondary_indexes']).map((i) => index(i, body['hash_key']));
  return {
    name: renderName(body['name']!),
    hashKey: key(body['hash_key']),
    ...(body['range_key'] ? { rangeKey: key(body['range_key']) } : {}),
    ...(body['ttl_attribute'] ? { ttlAttribute: text(body['ttl_attribute']) } : {}),
    ...(indexes.length ? { indexes } : {}),
    ...(localIndexes.length ? { localIndexes } : {}),
  };
}

/** The attribute names the local stack's CreateTable request declares for `spec`, sorted. */
export function declaredAttributes(spec: TableSpec): string[] {
  return (createTableInput(spec).AttributeDefinitions ?? []).map((a) => a.AttributeName ?? '').sort();
}
