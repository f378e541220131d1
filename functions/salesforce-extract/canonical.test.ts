import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  canonicalDatetime,
  canonicalNumber,
  csvText,
  fromBulk,
  fromRest,
  headerLine,
  numberText,
  readPath,
  restRow,
  type NulCounter,
} from './canonical';
import { buildFieldList } from './select';
import { writePage, type RowSink } from './steps/download';
import type { QueryPage } from './api';

/**
 * The same records through the REST path (JSON pages) and the Bulk path (CSV pages, each
 * with its header row) must give byte-identical files: testdata/nasty.canonical.csv is
 * the golden file both are compared with.
 */
const dir = join(__dirname, 'testdata');
const read = (name: string) => readFileSync(join(dir, name));
const { describe: describeResult } = JSON.parse(read('nasty-describe.json').toString('utf8')) as {
  describe: Parameters<typeof buildFieldList>[0];
};
const configured = JSON.parse(read('nasty-describe.json').toString('utf8')).fields as string[];
const shape = buildFieldList(describeResult, { name: 'Account', fields: configured, incremental: true });

function stringSink(): RowSink & { text: () => string; records: number } {
  const parts: string[] = [];
  const sink = {
    records: 0,
    write(text: string, records = 0) {
      parts.push(text);
      sink.records += records;
      return undefined;
    },
    text: () => parts.join(''),
  };
  return sink;
}

function restFile(counter: NulCounter): string {
  const pages = JSON.parse(read('nasty-rest.json').toString('utf8')) as QueryPage[];
  let out = headerLine(shape.fields);
  for (const page of pages) for (const record of page.records) out += restRow(record, shape, counter);
  return out;
}

/** Splits a page into small chunks so multi-byte characters and CRLF straddle chunk edges. */
function chunked(buffer: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) chunks.push(buffer.subarray(i, i + size));
  return Readable.from(chunks);
}

async function bulkFile(counter: NulCounter, chunkSize: number): Promise<{ text: string; rows: number }> {
  const sink = stringSink();
  sink.write(headerLine(shape.fields));
  let rows = 0;
  for (const page of ['nasty-bulk-page1.csv', 'nasty-bulk-page2.csv'])
    rows += await writePage(chunked(read(page), chunkSize), shape, sink, counter, '750000000000001AAA');
  return { text: sink.text(), rows };
}

describe('canonical CSV', () => {
  const golden = read('nasty.canonical.csv').toString('utf8');

  it('the REST path writes the golden file byte for byte', () => {
    const counter = { nulStripped: 0 };
    expect(restFile(counter)).toBe(golden);
    expect(counter.nulStripped).toBe(1);
  });

  it.each([1, 3, 7, 4096])('the Bulk path writes the same bytes (chunks of %i bytes)', async (size) => {
    const counter = { nulStripped: 0 };
    const { text, rows } = await bulkFile(counter, size);
    expect(rows).toBe(4);
    expect(Buffer.from(text, 'utf8').equals(read('nasty.canonical.csv'))).toBe(true);
    expect(counter.nulStripped).toBe(1);
  });

  it('has no BOM, LF line ends only between records, and keeps CR/LF inside quoted values', () => {
    const bytes = read('nasty.canonical.csv');
    expect(bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(golden).toContain('"Line1\r\nLine2\nLine3\rEnd"');
    expect(golden).not.toContain('\u0000');
    expect(golden.split('\n')[0]).toBe(
      'Id,Name,Description,IsActive__c,Amount__c,NumberOfEmployees,CreatedDate,Birthdate__c,Owner.Name,Score__c',
    );
    // The all-null record: every field empty and unquoted.
    expect(golden).toContain('\n001D,,,,,,,,,\n');
  });

  it('quotes only what RFC 4180 needs, plus leading or trailing spaces', () => {
    expect(csvText(null)).toBe('');
    expect(csvText('plain 日本語 🎉')).toBe('plain 日本語 🎉');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "x"')).toBe('"say ""x"""');
    expect(csvText(' padded')).toBe('" padded"');
    expect(csvText('trailing ')).toBe('"trailing "');
    expect(csvText('cr\r')).toBe('"cr\r"');
  });

  it('writes datetimes in UTC with milliseconds whatever offset they came with', () => {
    expect(canonicalDatetime('2024-01-02T03:04:05.000+0000')).toBe('2024-01-02T03:04:05.000Z');
    expect(canonicalDatetime('2024-01-02T03:04:05Z')).toBe('2024-01-02T03:04:05.000Z');
    expect(canonicalDatetime('2024-01-02T09:04:05.120+09:00')).toBe('2024-01-02T00:04:05.120Z');
    expect(canonicalDatetime('not a date')).toBe('not a date');
  });

  it('writes numbers as plain decimals, without exponent or trailing zeros', () => {
    expect(canonicalNumber('5000.0')).toBe('5000');
    expect(canonicalNumber('1.0E21')).toBe('1000000000000000000000');
    expect(canonicalNumber('1.5E-7')).toBe('0.00000015');
    expect(canonicalNumber('-0.50')).toBe('-0.5');
    expect(canonicalNumber('-0.0')).toBe('0');
    expect(canonicalNumber('-0')).toBe('0');
    expect(canonicalNumber('+12')).toBe('12');
    expect(canonicalNumber('007')).toBe('7');
    expect(canonicalNumber('.5')).toBe('0.5');
    expect(canonicalNumber('12abc')).toBe('12abc');
    expect(numberText(1e21)).toBe('1000000000000000000000');
    expect(numberText(1e-7)).toBe('0.0000001');
    expect(numberText(123456789012345)).toBe('123456789012345');
  });

  it('maps values by field type, treating an empty Bulk value as null', () => {
    const c = { nulStripped: 0 };
    expect(fromRest(true, 'boolean', c)).toBe('true');
    expect(fromRest(0, 'number', c)).toBe('0');
    expect(fromRest('', 'string', c)).toBeNull();
    expect(fromBulk('', 'string', c)).toBeNull();
    expect(fromBulk('TRUE', 'boolean', c)).toBe('true');
    // A text field that happens to look like a number keeps its text.
    expect(fromBulk('007', 'string', c)).toBe('007');
    expect(fromBulk('a\u0000b\u0000', 'string', c)).toBe('ab');
    expect(c.nulStripped).toBe(2);
  });

  it('reads parent fields through relationships, null when the parent is null, any casing', () => {
    const record = { Id: '1', Owner: { attributes: { type: 'User' }, Name: 'X', Manager: null } };
    expect(readPath(record, 'Owner.Name')).toBe('X');
    expect(readPath(record, 'owner.name')).toBe('X');
    expect(readPath(record, 'Owner.Manager.Name')).toBeNull();
    expect(readPath({ Owner: null }, 'Owner.Name')).toBeNull();
  });
});
