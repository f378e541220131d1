import { NumberText } from './api';
import type { ColumnKind } from './steps/types';

/**
 * The canonical CSV both paths write, so a file never changes shape because the volume
 * (and so the API) changed: UTF-8 without BOM, LF line ends, a header of the plan's
 * fields in SELECT order, null as an empty unquoted field, other values quoted only when
 * they hold `,` `"` CR or LF or start or end with a space; datetimes
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, booleans `true`/`false`, numbers as plain decimal text.
 * NUL (U+0000) is stripped from every value and counted.
 *
 * Why not functions/shared/csv.ts: that one quotes `""` and `\.` for PostgreSQL COPY;
 * here an empty value is null on both paths (Bulk CSV cannot tell them apart and
 * Salesforce stores no empty strings), and the contract fixes the quoting rule.
 */

const NEEDS_QUOTES = /[",\r\n]/;

export function csvText(value: string | null): string {
  if (value === null) return '';
  if (NEEDS_QUOTES.test(value) || (value.length > 0 && value.trim() !== value)) {
    return `"${value.replaceAll('"', '""')}"`;
  }
  return value;
}

export function csvRecord(values: readonly (string | null)[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i === 0 ? '' : ',') + csvText(values[i]!);
  return `${line}\n`;
}

/** NUL bytes stripped while converting, for the manifest. */
export interface NulCounter {
  nulStripped: number;
}

function stripNul(text: string, counter: NulCounter): string {
  if (!text.includes('\u0000')) return text;
  const cleaned = text.replaceAll('\u0000', '');
  counter.nulStripped += text.length - cleaned.length;
  return cleaned;
}

const CANONICAL_DATETIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
/** The shape of a datetime in Salesforce's REST JSON and Bulk CSV (UTC: `Z` or an offset such as `+0000`). */
const SALESFORCE_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}(?:Z|[+-]\d{4})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})$/;

/**
 * REST answers `2024-01-02T03:04:05.000+0000`, Bulk CSV `2024-01-02T03:04:05.000Z`:
 * both become UTC with milliseconds. Text that is not a datetime is kept as it is.
 */
export function canonicalDatetime(text: string): string {
  // Fast paths for the two forms Salesforce writes (a full parse costs ~20x more per value).
  if (CANONICAL_DATETIME.test(text)) return text;
  if (text.length === 28 && text.endsWith('+0000') && CANONICAL_DATETIME.test(`${text.slice(0, 23)}Z`))
    return `${text.slice(0, 23)}Z`;
  const m = DATETIME.exec(text);
  if (!m) return text;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const digits = zone!.replace(':', '');
    offsetMinutes =
      (digits[0] === '-' ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  const ms =
    Date.UTC(
      Number(y),
      Number(mo) - 1,
      Number(d),
      Number(h),
      Number(mi),
      Number(s),
      Number(frac.padEnd(3, '0').slice(0, 3)),
    ) -
    offsetMinutes * 60_000;
  const date = new Date(ms);
  return Number.isNaN(ms) ? text : date.toISOString();
}

/** Already canonical: no sign but `-`, no leading zero, no trailing fractional zero, no exponent. */
const PLAIN_NUMBER = /^-?(0|[1-9]\d*)(\.\d*[1-9])?$/;
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Plain decimal text without exponent, trailing fractional zeros or a leading `+`:
 * Bulk writes `5000.0` where REST JSON has 5000, JavaScript prints 1e21 for a large
 * REST number; both sides go through this so the same value is the same text.
 * Text that is not a number is kept as it is.
 */
export function canonicalNumber(text: string): string {
  if (PLAIN_NUMBER.test(text) && text !== '-0') return text;
  const m = NUMBER.exec(text.trim());
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return text;
  const [, sign, intPart = '', fracPart = '', exp] = m;
  let digits = intPart + fracPart;
  let point = intPart.length + (exp ? Number(exp) : 0);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const fraction = digits.slice(point).replace(/0+$/, '');
  const body = fraction ? `${whole}.${fraction}` : whole;
  return sign === '-' && /[1-9]/.test(body) ? `-${body}` : body;
}

/** A JavaScript number as plain decimal text (JSON parsing already lost any precision beyond 2^53). */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return canonicalNumber(String(value));
}

/**
 * One value of a REST JSON record. A number of a known number field becomes canonical
 * decimal text; one of unknown type (a parent field: its object is not described) stays
 * as Salesforce wrote it, which is what Bulk's CSV carries for the same value.
 */
export function fromRest(value: unknown, kind: ColumnKind, counter: NulCounter): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof NumberText) return kind === 'unknown' ? value.text : canonicalNumber(value.text);
  if (typeof value === 'number') return kind === 'unknown' ? String(value) : numberText(value);
  if (typeof value === 'string') return fromText(value, kind, counter);
  // A compound value (address/location) selected as a whole: not produced by our SELECTs,
  // which list components; kept readable rather than dropped.
  return stripNul(JSON.stringify(value), counter);
}

/** One value of a Bulk API 2.0 CSV row (every value is text; null is empty). */
export function fromBulk(text: string, kind: ColumnKind, counter: NulCounter): string | null {
  return fromText(text, kind, counter);
}

function fromText(raw: string, kind: ColumnKind, counter: NulCounter): string | null {
  const text = stripNul(raw, counter);
  if (text === '') return null;
  switch (kind) {
    case 'datetime':
      return canonicalDatetime(text);
    case 'number':
      return canonicalNumber(text);
    case 'boolean':
      return text === 'true' || text === 'false' ? text : text.toLowerCase();
    case 'unknown':
      // A parent's datetime: REST writes +0000 where Bulk writes Z. Only Salesforce's exact
      // datetime shape is touched, so other text is never reinterpreted.
      return SALESFORCE_DATETIME.test(text) ? canonicalDatetime(text) : text;
    default:
      return text;
  }
}

/**
 * Reads `Parent.Field` paths from a REST record: attributes are ignored, a null parent
 * gives null. Keys are matched exactly first, then case-insensitively (a configured field
 * list may spell a name differently from describe; SOQL is case-insensitive).
 */
export function readPath(record: Record<string, unknown>, path: string): unknown {
  let current: unknown = record;
  for (const segment of path.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object') return null;
    const obj = current as Record<string, unknown>;
    if (segment in obj) current = obj[segment];
    else {
      const lower = segment.toLowerCase();
      const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
      current = key === undefined ? undefined : obj[key];
    }
  }
  return current;
}

export interface RowShape {
  fields: readonly string[];
  kinds: readonly ColumnKind[];
}

export function restRow(record: Record<string, unknown>, shape: RowShape, counter: NulCounter): string {
  const values = shape.fields.map((f, i) => fromRest(readPath(record, f), shape.kinds[i]!, counter));
  return csvRecord(values);
}

/**
 * Where each plan field sits in a Bulk page's header (every page repeats the header).
 * Names match case-insensitively; a missing column is an error, not an empty column.
 */
export function bulkColumnIndex(header: readonly string[], fields: readonly string[]): number[] {
  const positions = new Map(header.map((name, i) => [name.toLowerCase(), i]));
  return fields.map((f) => {
    const at = positions.get(f.toLowerCase());
    if (at === undefined)
      throw new Error(`Bulk results have no column ${f} (header: ${header.slice(0, 20).join(',')})`);
    return at;
  });
}

export function bulkRow(
  values: readonly string[],
  index: readonly number[],
  shape: RowShape,
  counter: NulCounter,
): string {
  const out = index.map((at, i) => fromBulk(values[at] ?? '', shape.kinds[i]!, counter));
  return csvRecord(out);
}

export function headerLine(fields: readonly string[]): string {
  return csvRecord(fields);
}
