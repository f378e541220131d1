import type { FieldValue } from './records';
import type { FieldDef } from './schema';
import type { FieldPath } from './soql';
import { valueAt, walk, type RowAccess } from './store';

/**
 * Wire formats of one record: REST query JSON (attributes, nested parent objects,
 * datetimes as `2024-01-02T03:04:05.000+0000`) and Bulk API 2.0 CSV (every value
 * double-quoted, datetimes as `2024-01-02T03:04:05.000Z`, parent fields as
 * `Owner.Name` columns).
 */

/** REST datetime: ISO with milliseconds and a `+0000` offset. */
export function restDatetime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

function restValue(
  field: FieldDef,
  value: FieldValue,
  apiVersion: string,
  objectName: string,
  id: string,
): unknown {
  if (value === null) return null;
  switch (field.type) {
    case 'datetime':
      return restDatetime(value as number);
    case 'base64':
      // REST query answers a base64 field with the URL of the blob, not the bytes.
      return `/services/data/v${apiVersion}/sobjects/${objectName}/${id}/${field.name}`;
    default:
      return value;
  }
}

function compoundValue(row: RowAccess, field: FieldDef): unknown {
  const parts = row.object.fields.filter((f) => f.compoundFieldName === field.name);
  const get = (suffix: string) => {
    const part = parts.find((p) => p.name.endsWith(suffix));
    return part ? row.field(part.name) : null;
  };
  if (field.type === 'location') {
    const latitude = get('Latitude__s');
    const longitude = get('Longitude__s');
    return latitude === null && longitude === null ? null : { latitude, longitude };
  }
  const value = {
    city: get('City'),
    country: get('Country'),
    geocodeAccuracy: get('GeocodeAccuracy'),
    latitude: get('Latitude'),
    longitude: get('Longitude'),
    postalCode: get('PostalCode'),
    state: get('State'),
    street: get('Street'),
  };
  return Object.values(value).every((v) => v === null) ? null : value;
}

function attributes(object: string, id: string, apiVersion: string) {
  return { type: object, url: `/services/data/v${apiVersion}/sobjects/${object}/${id}` };
}

/** One record of a REST query response, fields in SELECT order, parents nested. */
export function restRecord(row: RowAccess, fields: FieldPath[], apiVersion: string): Record<string, unknown> {
  const id = row.field('Id') as string;
  const out: Record<string, unknown> = { attributes: attributes(row.object.name, id, apiVersion) };
  for (const path of fields) {
    if (path.hops.length === 0) {
      out[path.field.name] =
        path.field.type === 'address' || path.field.type === 'location'
          ? compoundValue(row, path.field)
          : restValue(path.field, row.field(path.field.name), apiVersion, row.object.name, id);
      continue;
    }
    // Parent fields nest under their relationship: {Owner: {attributes, Name}}; a null lookup is null.
    let target = out;
    for (const [n, hop] of path.hops.entries()) {
      if (target[hop.relationshipName] === null) break;
      if (target[hop.relationshipName] === undefined) {
        const parent = walk(row, path.hops.slice(0, n + 1));
        if (!parent) {
          target[hop.relationshipName] = null;
          break;
        }
        const parentId = parent.record.Id as string;
        // A polymorphic lookup reports the pseudo-type Name in its attributes.
        const type = hop.objects.length > 1 ? 'Name' : parent.object;
        const url = attributes(parent.object, parentId, apiVersion).url;
        target[hop.relationshipName] = { attributes: { type, url } };
      }
      target = target[hop.relationshipName] as Record<string, unknown>;
      if (n === path.hops.length - 1) {
        const value = valueAt(row, path);
        target[path.field.name] = restValue(path.field, value, apiVersion, path.object, '');
      }
    }
  }
  return out;
}

/** Bulk CSV text of a value (before quoting). */
export function bulkValue(field: FieldDef, value: FieldValue): string {
  if (value === null) return '';
  if (field.type === 'datetime') return new Date(value as number).toISOString();
  return String(value);
}
