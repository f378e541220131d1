import {
  createdDate,
  DELETED_EVERY,
  generateRecord,
  indexOfId,
  isDeletedIndex,
  modstamp,
  recordId,
  userRecord,
  type FakeRecord,
  type FieldValue,
  type GeneratorContext,
} from './records';
import { OBJECTS, USER_PREFIX, type FieldDef, type ObjectDef } from './schema';
import type { Condition, FieldPath, Literal, ParsedQuery } from './soql';

/**
 * The org's data as a query engine over lazily generated records: a scan visits
 * indexes in Id order, generating a record only when the filter needs a field that
 * is not cheap to compute (Id, IsDeleted, SystemModstamp and CreatedDate are), so an
 * incremental window over a million records touches only the few that match.
 */
export class OrgData {
  private readonly parents = new Map<string, { object: string; record: FakeRecord }>();

  constructor(readonly ctx: GeneratorContext) {}

  count(object: string): number {
    return this.ctx.counts[object] ?? 0;
  }

  record(object: ObjectDef, index: number): FakeRecord {
    return generateRecord(object, index, this.ctx);
  }

  /** Indexes of the records matching `query` (and `all` = queryAll), from `start`, in Id order. */
  *scan(query: ParsedQuery, all: boolean, start = 0): Generator<{ index: number; row: RowAccess }> {
    const total = this.count(query.object.name);
    for (let index = start; index < total; index++) {
      if (!all && isDeletedIndex(index)) continue;
      const row = new RowAccess(this, query.object, index);
      if (query.where && !evaluate(query.where, row)) continue;
      yield { index, row };
    }
  }

  /** Number of matching records, honouring LIMIT. */
  matching(query: ParsedQuery, all: boolean): number {
    const total = this.count(query.object.name);
    let n = 0;
    if (!query.where) {
      n = all ? total : total - Math.floor(total / DELETED_EVERY);
    } else {
      for (const _ of this.scan(query, all)) n++;
    }
    return query.limit === undefined ? n : Math.min(n, query.limit);
  }

  /** The parent record a lookup id points at (User, or one of the generated objects). */
  parent(id: string): { object: string; record: FakeRecord } | undefined {
    const cached = this.parents.get(id);
    if (cached) return cached;
    let found: { object: string; record: FakeRecord } | undefined;
    if (id.startsWith(USER_PREFIX)) {
      const user = userRecord(indexOfId(USER_PREFIX, id) ?? -1);
      if (user) found = { object: 'User', record: user };
    } else {
      for (const object of Object.values(OBJECTS)) {
        const index = id.startsWith(object.keyPrefix) ? indexOfId(object.keyPrefix, id) : undefined;
        if (index !== undefined && index < this.count(object.name)) {
          found = { object: object.name, record: this.record(object, index) };
          break;
        }
      }
    }
    // Parents repeat (owners, accounts of contacts); a bounded cache keeps lookups cheap.
    if (found) {
      if (this.parents.size >= 10_000) this.parents.delete(this.parents.keys().next().value!);
      this.parents.set(id, found);
    }
    return found;
  }
}

const CHEAP = new Set(['Id', 'IsDeleted', 'SystemModstamp', 'LastModifiedDate', 'CreatedDate']);

/** Field access on one record that generates the full record only when needed. */
export class RowAccess {
  private full?: FakeRecord;

  constructor(
    readonly data: OrgData,
    readonly object: ObjectDef,
    readonly index: number,
  ) {}

  get record(): FakeRecord {
    this.full ??= this.data.record(this.object, this.index);
    return this.full;
  }

  field(name: string): FieldValue {
    if (!this.full && CHEAP.has(name)) {
      switch (name) {
        case 'Id':
          return recordId(this.object.keyPrefix, this.index);
        case 'IsDeleted':
          return isDeletedIndex(this.index);
        case 'CreatedDate':
          return createdDate(this.index);
        default:
          return modstamp(this.object.name, this.index, this.data.ctx);
      }
    }
    return this.record[name] ?? null;
  }
}

/** Walks a path's relationships from a row; undefined when a lookup on the way is null. */
export function walk(
  row: RowAccess,
  hops: FieldPath['hops'],
): { object: string; record: FakeRecord } | undefined {
  let id = row.field(hops[0]!.idField);
  let current: { object: string; record: FakeRecord } | undefined;
  for (const [n, hop] of hops.entries()) {
    if (n > 0) id = current!.record[hop.idField] ?? null;
    if (typeof id !== 'string') return undefined;
    current = row.data.parent(id);
    if (!current) return undefined;
  }
  return current;
}

export function valueAt(row: RowAccess, path: FieldPath): FieldValue {
  if (path.hops.length === 0) return row.field(path.field.name);
  const parent = walk(row, path.hops);
  if (!parent) return null;
  if (path.object !== 'Name') return parent.record[path.field.name] ?? null;
  // The polymorphic Name pseudo-object: Id, Name and Type (the parent's object name).
  if (path.field.name === 'Type') return parent.object;
  return parent.record[path.field.name] ?? null;
}

function compareValues(a: FieldValue, b: string | number | boolean, field: FieldDef): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const x = String(a);
  const y = String(b);
  // SOQL compares text case-insensitively.
  if (field.type !== 'date')
    return x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0;
  return x < y ? -1 : x > y ? 1 : 0;
}

function literalValue(literal: Literal): string | number | boolean | null {
  return literal.kind === 'null' ? null : literal.value;
}

function evaluate(condition: Condition, row: RowAccess): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.items.every((c) => evaluate(c, row));
    case 'or':
      return condition.items.some((c) => evaluate(c, row));
    case 'not':
      return !evaluate(condition.item, row);
    case 'like': {
      const value = pathValue(row, condition.path);
      return value !== null && condition.pattern.test(String(value));
    }
    case 'in': {
      const value = pathValue(row, condition.path);
      const hit = condition.literals.some((l) => {
        const v = literalValue(l);
        return v === null
          ? value === null
          : value !== null && compareValues(value, v, condition.path.field) === 0;
      });
      return condition.negated ? !hit : hit;
    }
    case 'compare': {
      const value = pathValue(row, condition.path);
      const v = literalValue(condition.literal);
      if (v === null) return condition.op === '=' ? value === null : value !== null;
      if (value === null) return condition.op === '!=';
      const c = compareValues(value, v, condition.path.field);
      switch (condition.op) {
        case '=':
          return c === 0;
        case '!=':
          return c !== 0;
        case '<':
          return c < 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        default:
          return c >= 0;
      }
    }
  }
}

function pathValue(row: RowAccess, path: FieldPath): FieldValue {
  return valueAt(row, path);
}
