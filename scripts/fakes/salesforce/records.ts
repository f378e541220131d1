import { mulberry32 } from '../../../functions/shared/prng';
import { OBJECTS, USER_NAMES, USER_PREFIX, type FieldDef, type ObjectDef } from './schema';

/**
 * Deterministic records, generated one at a time from (object name, index) so a
 * million-record object costs no memory: the same index always yields the same
 * record, and every awkward value a real org holds shows up within a few records
 * (Japanese text, quotes, commas, CR/LF inside values, emoji, NUL bytes, leading and
 * trailing spaces, nulls).
 *
 * Values are kept typed: text as string, numbers as number, booleans, dates as
 * `YYYY-MM-DD`, datetimes as epoch milliseconds; the wire formats (REST JSON, Bulk
 * CSV) are applied by the serializers.
 */
export type FieldValue = string | number | boolean | null;
export type FakeRecord = Record<string, FieldValue>;

/** Fixed epoch every generated CreatedDate / SystemModstamp counts from. */
export const EPOCH_MS = Date.UTC(2024, 0, 1, 0, 0, 0);
/** The last ~5 % of an object's records were modified within minutes before the anchor. */
export const RECENT_FRACTION = 0.05;
/** Every DELETED_EVERY-th record sits in the recycle bin (visible through queryAll only). */
export const DELETED_EVERY = 40;

export interface GeneratorContext {
  /** Records per object in this org. */
  counts: Record<string, number>;
  /** "Now" of the org: recent SystemModstamps fall 90–270 s before it. */
  anchorMs: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 3-character case-safe suffix Salesforce appends to a 15-character id. */
function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charCodeAt(chunk * 5 + i);
      if (c >= 65 && c <= 90) bits |= 1 << i;
    }
    suffix += SUFFIX[bits];
  }
  return suffix;
}

/** 18-character ids that sort (as strings) in index order, like a real org's. */
export function recordId(prefix: string, index: number): string {
  let digits = '';
  let n = index;
  do {
    digits = BASE62[n % 62] + digits;
    n = Math.floor(n / 62);
  } while (n > 0);
  const id15 = `${prefix}8d${digits.padStart(10, '0')}`;
  return id15 + caseSafeSuffix(id15);
}

export function indexOfId(prefix: string, id: string): number | undefined {
  if (id.length !== 18 && id.length !== 15) return undefined;
  if (!id.startsWith(`${prefix}8d`)) return undefined;
  let n = 0;
  for (const c of id.slice(5, 15)) {
    const d = BASE62.indexOf(c);
    if (d < 0) return undefined;
    n = n * 62 + d;
  }
  return id.length === 18 && recordId(prefix, n) !== id ? undefined : n;
}

const hashes = new Map<string, number>();

/** FNV-1a of an object name, memoized: it seeds every record of the object. */
function hash(text: string): number {
  const known = hashes.get(text);
  if (known !== undefined) return known;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  hashes.set(text, h >>> 0);
  return h >>> 0;
}

const NAMES = [
  (i: number) => `株式会社サンプル${i}`,
  (i: number) => `Acme, Inc. ${i}`,
  (i: number) => `"Quoted" Trading ${i}`,
  (i: number) => `Line one\r\nLine two ${i}`,
  (i: number) => `Rocket 🚀 Labs ${i}`,
  (i: number) => `Nul\u0000Byte ${i}`,
  (i: number) => `  Padded ${i}  `,
  (i: number) => `Ünïcödé GmbH ${i}`,
  (i: number) => `Account ${i}`,
  (i: number) => `Mixed "a,b"\nc ${i}`,
  (i: number) => `ｶﾀｶﾅ\u3000全角スペース ${i}`,
  (i: number) => `Tab\there ${i}`,
];

const DESCRIPTIONS = [
  '複数行の\n説明文です。',
  'Line 1\r\nLine 2\r\nLine 3',
  'He said "hello, world"',
  'Emoji 🎉🇯🇵 and 日本語',
  'Trailing newline\n',
  'A,B,C',
];

const CITIES = ['東京都', 'Osaka', 'São Paulo', 'New York, NY', 'Zürich', null] as const;
const FIRST_NAMES = ['太郎', 'Anne', "O'Brien", 'José', null, 'Zoë'] as const;
const LAST_NAMES = ['山田', 'Smith', 'Müller', 'Nguyễn', 'de la Cruz', '"Bob"'] as const;

function pick<T>(list: readonly T[], r: number): T {
  return list[Math.floor(r * list.length)]!;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function round(value: number, scale: number): number {
  return Number(value.toFixed(scale));
}

export function isDeletedIndex(index: number): boolean {
  return index % DELETED_EVERY === DELETED_EVERY - 1;
}

export function userId(index: number): string {
  return recordId(USER_PREFIX, index);
}

const USERS: FakeRecord[] = USER_NAMES.map((name, index) => ({
  Id: userId(index),
  Name: name,
  Email: `user${index}@example.com`,
  IsActive: index !== 3,
}));

export function userRecord(index: number): FakeRecord | undefined {
  return USERS[index];
}

/** CreatedDate of record `index`: every 30 s from the epoch, with varying milliseconds. */
export function createdDate(index: number): number {
  return EPOCH_MS + index * 30_000 + ((index * 17) % 1000);
}

/** SystemModstamp of record `index`: fixed for old records, minutes before the anchor for the newest 5 %. */
export function modstamp(object: string, index: number, ctx: GeneratorContext): number {
  const count = ctx.counts[object] ?? 0;
  const recentFrom = Math.floor(count * (1 - RECENT_FRACTION));
  if (index >= recentFrom && count > 0) {
    return ctx.anchorMs - 90_000 - ((index * 7919 + hash(object)) % 180_000);
  }
  return EPOCH_MS + index * 37_000 + ((index * 131) % 1000) + 60_000;
}

/** The full record `index` of `object` (every field of its describe, compound fields excluded). */
export function generateRecord(object: ObjectDef, index: number, ctx: GeneratorContext): FakeRecord {
  const r = mulberry32(hash(object.name) ^ Math.imul(index + 1, 0x9e3779b1));
  const created = createdDate(index);
  const stamp = modstamp(object.name, index, ctx);
  const record: FakeRecord = {
    Id: recordId(object.keyPrefix, index),
    IsDeleted: isDeletedIndex(index),
    CreatedDate: created,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
    OwnerId: userId(index % USER_NAMES.length),
  };
  switch (object.name) {
    case 'Account': {
      const withAddress = index % 7 !== 3;
      Object.assign(record, {
        Name: NAMES[index % NAMES.length]!(index),
        Description: index % 3 === 0 ? null : DESCRIPTIONS[index % DESCRIPTIONS.length]!,
        Industry: index % 6 === 5 ? null : pick(OBJECTS.Account!.fields[3]!.picklistValues!, r()),
        AnnualRevenue: index % 5 === 0 ? null : Math.floor(r() * 1_000_000) * 1000,
        NumberOfEmployees: index % 4 === 0 ? null : Math.floor(r() * 100_000),
        Phone:
          index % 2 === 0
            ? `+81-3-${String(1000 + (index % 9000))}-${String(index % 10000).padStart(4, '0')}`
            : null,
        Website: index % 3 === 1 ? `https://example.com/a?id=${index}&q=a,b` : null,
        BillingStreet: withAddress ? `${index} 丁目\n${index % 10}-${index % 7} Building "A"` : null,
        BillingCity: withAddress ? pick(CITIES, r()) : null,
        BillingState: withAddress ? 'Tokyo' : null,
        BillingPostalCode: withAddress
          ? String(1000000 + index).slice(0, 3) + '-' + String(index % 10000).padStart(4, '0')
          : null,
        BillingCountry: withAddress ? 'Japan' : null,
        BillingLatitude: withAddress ? round(35 + r(), 6) : null,
        BillingLongitude: withAddress ? round(139 + r(), 6) : null,
        BillingGeocodeAccuracy: withAddress ? 'Address' : null,
        HQLocation__Latitude__s: index % 4 === 1 ? null : round(-90 + r() * 180, 6),
        HQLocation__Longitude__s: index % 4 === 1 ? null : round(-180 + r() * 360, 6),
        Active__c: index % 3 !== 2,
        Founded__c:
          index % 5 === 4 ? null : day(Date.UTC(1900, 0, 1) + Math.floor(r() * 45_000) * 86_400_000),
        Discount__c: index % 2 === 0 ? round(r() * 100, 2) : null,
      });
      break;
    }
    case 'Contact': {
      const accounts = ctx.counts.Account ?? 0;
      const first = pick(FIRST_NAMES, r());
      const last = `${pick(LAST_NAMES, r())}${index % 10 === 9 ? '\u0000' : ''} ${index}`;
      Object.assign(record, {
        AccountId:
          accounts > 0 && index % 9 !== 4
            ? recordId(OBJECTS.Account!.keyPrefix, (index * 7) % accounts)
            : null,
        LastName: last,
        FirstName: first,
        Name: first ? `${first} ${last}` : last,
        Email: index % 4 === 2 ? null : `contact.${index}@example.co.jp`,
        Phone: index % 3 === 0 ? null : `090-${String(index % 10000).padStart(4, '0')}-0000`,
        Birthdate: index % 6 === 1 ? null : day(Date.UTC(1950, 0, 1) + Math.floor(r() * 20_000) * 86_400_000),
        HasOptedOutOfEmail: index % 5 === 0,
        MailingStreet: index % 8 === 0 ? null : `Apt. ${index}, "Maison"\r\nStreet ${index % 50}`,
        MailingCity: pick(CITIES, r()),
        MailingState: null,
        MailingPostalCode: index % 8 === 0 ? null : String(10000 + (index % 90000)),
        MailingCountry: index % 8 === 0 ? null : 'JP',
        MailingLatitude: null,
        MailingLongitude: null,
        MailingGeocodeAccuracy: null,
        Score__c: index % 7 === 0 ? null : round((r() - 0.5) * 20_000, 4),
        LastContacted__c: index % 3 === 2 ? null : EPOCH_MS - Math.floor(r() * 400 * 86_400_000),
      });
      break;
    }
    case 'Attachment': {
      const accounts = ctx.counts.Account ?? 0;
      const size = 16 + (index % 48);
      Object.assign(record, {
        ParentId: recordId(OBJECTS.Account!.keyPrefix, accounts > 0 ? index % accounts : 0),
        Name: index % 2 === 0 ? `請求書_${index}.pdf` : `notes, v${index}.txt`,
        IsPrivate: index % 4 === 0,
        ContentType: index % 2 === 0 ? 'application/pdf' : 'text/plain',
        BodyLength: size,
        Body: attachmentBody(index, size),
      });
      break;
    }
    default:
      genericFields(object, record, index, r);
  }
  return record;
}

/** Objects configured by name only get plausible values for whatever fields they declare. */
function genericFields(object: ObjectDef, record: FakeRecord, index: number, r: () => number): void {
  for (const field of object.fields) {
    if (field.name in record || field.type === 'address' || field.type === 'location') continue;
    record[field.name] = genericValue(field, index, r);
  }
}

function genericValue(field: FieldDef, index: number, r: () => number): FieldValue {
  switch (field.type) {
    case 'boolean':
      return index % 2 === 0;
    case 'int':
      return Math.floor(r() * 1000);
    case 'double':
    case 'currency':
    case 'percent':
      return round(r() * 1000, 2);
    case 'date':
      return day(EPOCH_MS - Math.floor(r() * 1000) * 86_400_000);
    case 'datetime':
      return EPOCH_MS - Math.floor(r() * 1e10);
    default:
      return index % 3 === 0 ? null : NAMES[index % NAMES.length]!(index);
  }
}

export function attachmentBody(index: number, size: number): string {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (index * 31 + i * 7) & 0xff;
  return bytes.toString('base64');
}
