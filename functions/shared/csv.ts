import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/**
 * CSV as PostgreSQL's `COPY … (FORMAT csv, HEADER true)` reads it (RFC 4180).
 * null/undefined are written as an empty unquoted field, which COPY loads as NULL;
 * an empty string is written as `""`, which COPY loads as ''. Keeping the two
 * apart is why this is not a plain join.
 */
export type CsvValue = string | number | boolean | bigint | Date | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : String(value);
  // A bare `\.` line is COPY's end-of-data marker in text mode; quoting keeps any
  // leading/trailing space and that marker literal in every mode.
  if (text === '' || NEEDS_QUOTES.test(text) || text === '\\.' || text.trim() !== text) {
    return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/**
 * Streams rows to a file with a fixed header, waiting on `drain` so memory stays
 * flat whatever the row count.
 */
export class CsvFileWriter<Row> {
  private readonly stream: WriteStream;
  private rowCount = 0;

  constructor(
    readonly path: string,
    private readonly columns: readonly (keyof Row & string)[],
  ) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.stream.write(csvLine(columns));
  }

  get rows(): number {
    return this.rowCount;
  }

  async write(row: Row): Promise<void> {
    this.rowCount++;
    const line = csvLine(this.columns.map((column) => row[column] as CsvValue));
    if (!this.stream.write(line)) await once(this.stream, 'drain');
  }

  async writeAll(rows: Iterable<Row>): Promise<void> {
    for (const row of rows) await this.write(row);
  }

  async close(): Promise<void> {
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, 'close');
  }
}
