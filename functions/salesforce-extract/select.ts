import { createHash } from 'node:crypto';
import { PermanentError } from '../shared/errors';
import type { ObjectConfig } from './config';
import type { ColumnKind } from './steps/types';

/**
 * The SELECT an object's configuration asks for, from its describe. Describe lists only
 * the fields the integration user can see (field-level security hides the rest), and a
 * field has no "queryable" flag of its own (the object has): a field is selected unless
 * it is deprecatedAndHidden, base64 (Bulk API 2.0 cannot return it; REST gives a URL), or
 * a compound parent (address, location), which Bulk refuses and whose components describe
 * lists as fields of their own.
 */
export interface DescribeFieldLike {
  name: string;
  type: string;
  compoundFieldName?: string | null;
  relationshipName?: string | null;
  referenceTo?: readonly string[];
  deprecatedAndHidden?: boolean;
  queryable?: boolean;
}

export interface DescribeLike {
  name: string;
  queryable: boolean;
  fields: readonly DescribeFieldLike[];
}

/** The configured field list cannot be queried: names the object and the fields. */
export class FieldConfigError extends PermanentError {
  override name = 'FieldConfigError';
}

const COMPOUND_TYPES = new Set(['address', 'location']);
const EXCLUDED_TYPES = new Set(['base64']);
const INCREMENTAL_FIELD = 'SystemModstamp';

const KINDS: Record<string, ColumnKind> = {
  boolean: 'boolean',
  int: 'number',
  long: 'number',
  double: 'number',
  currency: 'number',
  percent: 'number',
  datetime: 'datetime',
  date: 'date',
  time: 'time',
  anyType: 'unknown',
};

export function kindOf(type: string | undefined): ColumnKind {
  return type === undefined ? 'unknown' : (KINDS[type] ?? 'string');
}

function selectable(field: DescribeFieldLike): boolean {
  return (
    !COMPOUND_TYPES.has(field.type) &&
    !EXCLUDED_TYPES.has(field.type) &&
    field.deprecatedAndHidden !== true &&
    field.queryable !== false
  );
}

export interface FieldList {
  fields: string[];
  kinds: ColumnKind[];
}

export function buildFieldList(
  describe: DescribeLike,
  config: Pick<ObjectConfig, 'name' | 'fields' | 'incremental'>,
): FieldList {
  if (!describe.queryable)
    throw new FieldConfigError(`${describe.name} cannot be queried (describe: queryable false)`);
  const byName = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  if (config.incremental && !byName.has(INCREMENTAL_FIELD.toLowerCase()))
    throw new FieldConfigError(
      `${describe.name} has no ${INCREMENTAL_FIELD}: configure it with "incremental": false`,
    );
  const out: FieldList = { fields: [], kinds: [] };
  const add = (name: string, kind: ColumnKind) => {
    if (out.fields.some((f) => f.toLowerCase() === name.toLowerCase())) return;
    out.fields.push(name);
    out.kinds.push(kind);
  };
  const components = (parent: string) =>
    describe.fields.filter((f) => f.compoundFieldName === parent && selectable(f));

  if (config.fields === '*') {
    for (const f of describe.fields) if (selectable(f)) add(f.name, kindOf(f.type));
    return out;
  }

  const problems: string[] = [];
  const relationships = new Set(
    describe.fields.map((f) => f.relationshipName?.toLowerCase()).filter((r): r is string => Boolean(r)),
  );
  for (const requested of config.fields) {
    if (requested.includes('.')) {
      const relationship = requested.split('.')[0]!.toLowerCase();
      // Describe of the parent is not fetched: its type is unknown, values are kept as text.
      if (relationships.size > 0 && !relationships.has(relationship))
        problems.push(`${requested} (no relationship ${requested.split('.')[0]})`);
      else add(requested, 'unknown');
      continue;
    }
    const field = byName.get(requested.toLowerCase());
    if (!field) problems.push(`${requested} (not in describe, or not visible to the integration user)`);
    else if (COMPOUND_TYPES.has(field.type))
      for (const c of components(field.name)) add(c.name, kindOf(c.type));
    else if (!selectable(field)) problems.push(`${requested} (type ${field.type} cannot be extracted)`);
    else add(field.name, kindOf(field.type));
  }
  if (problems.length) throw new FieldConfigError(`${describe.name}: cannot select ${problems.join(', ')}`);
  return out;
}

/** Polymorphic lookups (What, Who) can point at dozens of objects: not worth a describe each. */
const MAX_PARENT_OBJECTS = 5;

/**
 * The types of `Parent.Field` columns, from the describes of the objects the relationships
 * point at (REST and Bulk write a parent's numbers and datetimes in different forms, so
 * a parent column needs its type as much as the object's own do). A path whose type
 * cannot be told (parent not describable, too many parent objects, different types across
 * a polymorphic lookup) keeps `unknown`.
 */
export async function resolveParentKinds(
  root: DescribeLike,
  list: FieldList,
  /** undefined: the integration user cannot describe that object. */
  describe: (object: string) => Promise<DescribeLike | undefined>,
): Promise<ColumnKind[]> {
  const cache = new Map<string, Promise<DescribeLike | undefined>>();
  const load = (object: string) => {
    const key = object.toLowerCase();
    let pending = cache.get(key);
    if (!pending) {
      pending = describe(object);
      cache.set(key, pending);
    }
    return pending;
  };
  const kinds = [...list.kinds];
  for (let i = 0; i < list.fields.length; i++) {
    const segments = list.fields[i]!.split('.');
    if (segments.length < 2 || kinds[i] !== 'unknown') continue;
    let objects: DescribeLike[] = [root];
    for (const relationship of segments.slice(0, -1)) {
      const lower = relationship.toLowerCase();
      const targets = new Set<string>();
      for (const o of objects)
        for (const f of o.fields)
          if (f.relationshipName?.toLowerCase() === lower) f.referenceTo?.forEach((t) => targets.add(t));
      if (targets.size === 0 || targets.size > MAX_PARENT_OBJECTS) {
        objects = [];
        break;
      }
      objects = (await Promise.all([...targets].map(load))).filter((d): d is DescribeLike => d !== undefined);
    }
    const last = segments[segments.length - 1]!.toLowerCase();
    const found = new Set(
      objects.flatMap((o) =>
        o.fields.filter((f) => f.name.toLowerCase() === last).map((f) => kindOf(f.type)),
      ),
    );
    if (found.size === 1) kinds[i] = [...found][0]!;
  }
  return kinds;
}

/** sha-256 of the sorted field list: equal for the same set of fields whatever their order. */
export function schemaHash(fields: readonly string[]): string {
  return createHash('sha256')
    .update([...fields].sort().join('\n'))
    .digest('hex');
}

export interface SchemaChange {
  previousHash: string;
  hash: string;
  added: string[];
  removed: string[];
}

/** Fields added or removed since the stored list; undefined when nothing changed or nothing was stored. */
export function schemaChange(
  stored: { schemaHash?: string; fields?: readonly string[] } | undefined,
  fields: readonly string[],
): SchemaChange | undefined {
  const hash = schemaHash(fields);
  if (!stored?.schemaHash || stored.schemaHash === hash) return undefined;
  const before = new Set(stored.fields ?? []);
  const now = new Set(fields);
  return {
    previousHash: stored.schemaHash,
    hash,
    added: fields.filter((f) => !before.has(f)),
    removed: [...before].filter((f) => !now.has(f)),
  };
}

/** SOQL datetime literal: seconds precision, the format SOQL documents (`1999-01-01T23:01:01Z`). */
export function soqlDatetime(at: Date): string {
  return `${at.toISOString().slice(0, 19)}Z`;
}

export interface Window {
  from: Date | null;
  to: Date | null;
}

/** The WHERE of the extraction (and of its COUNT()): the configured condition and the window. */
export function whereClause(config: Pick<ObjectConfig, 'where'>, window: Window): string | undefined {
  const parts: string[] = [];
  if (config.where) parts.push(`(${config.where})`);
  if (window.from) parts.push(`${INCREMENTAL_FIELD} >= ${soqlDatetime(window.from)}`);
  if (window.to) parts.push(`${INCREMENTAL_FIELD} < ${soqlDatetime(window.to)}`);
  return parts.length ? parts.join(' AND ') : undefined;
}

export function buildSoql(object: string, fields: readonly string[], where: string | undefined): string {
  return `SELECT ${fields.join(', ')} FROM ${object}${where ? ` WHERE ${where}` : ''}`;
}

/**
 * `[watermark − lookback, runStart − 60 s)` on SystemModstamp, both ends whole seconds.
 * The 60 s keep out records still being written as the run starts; the lookback catches
 * commits that landed with an older SystemModstamp after the last run read past it.
 * No stored watermark (or a full run): from the beginning.
 */
export function incrementalWindow(options: {
  incremental: boolean;
  full: boolean;
  watermark: string | null;
  runStartedAt: Date;
  lookbackSeconds: number;
}): Window {
  if (!options.incremental) return { from: null, to: null };
  const to = new Date(Math.floor((options.runStartedAt.getTime() - 60_000) / 1000) * 1000);
  if (options.full || !options.watermark) return { from: null, to };
  const from = new Date(
    Math.floor((Date.parse(options.watermark) - options.lookbackSeconds * 1000) / 1000) * 1000,
  );
  return { from, to };
}
