import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { CsvFileWriter, csvField, csvLine } from './csv';

describe('csvField', () => {
  it('keeps NULL and empty string apart the way COPY reads them', () => {
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField('')).toBe('""');
  });

  it('quotes separators, quotes, line breaks and edge spaces', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line1\nline2')).toBe('"line1\nline2"');
    expect(csvField(' padded ')).toBe('" padded "');
    expect(csvField('\\.')).toBe('"\\."');
  });

  it('writes Japanese text, numbers, booleans and dates as they are', () => {
    expect(csvLine(['【公式】東京の朝', 42, true, 10n, new Date('2025-08-01T15:00:00Z')])).toBe(
      '【公式】東京の朝,42,true,10,2025-08-01T15:00:00.000Z\n',
    );
  });
});

describe('CsvFileWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'csv-test-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams rows under a header and round-trips through a CSV parser', async () => {
    const path = join(dir, 'rows.csv');
    const writer = new CsvFileWriter<{ id: string; title: string | null; views: number }>(path, [
      'id',
      'title',
      'views',
    ]);
    await writer.writeAll([
      { id: 'a', title: 'カンマ, と "引用"', views: 1 },
      { id: 'b', title: null, views: 2 },
    ]);
    await writer.close();
    expect(writer.rows).toBe(2);
    const parsed = Papa.parse<string[]>(await readFile(path, 'utf8'), { skipEmptyLines: true });
    expect(parsed.data).toEqual([
      ['id', 'title', 'views'],
      ['a', 'カンマ, と "引用"', '1'],
      ['b', '', '2'],
    ]);
  });
});
