/**
 * A streaming RFC 4180 record scanner that knows the physical line each record
 * starts on. Papaparse can stream, but it reports row indexes rather than lines once
 * quoted fields span lines, and it repairs malformed quoting silently; an operator
 * fixing a file needs the exact line and the exact fault.
 */
export type RecordFault = 'MALFORMED_QUOTE' | 'UNTERMINATED_QUOTE';

export interface CsvRecord {
  /** 1-based physical line the record starts on. */
  line: number;
  fields: string[];
  /** The record is an empty line (no characters at all). */
  blank: boolean;
  fault: RecordFault | null;
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export class CsvScanner {
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private fault: RecordFault | null = null;
  private line = 1;
  private recordLine = 1;
  private recordHasChars = false;
  private pendingCarriageReturn = false;

  constructor(private readonly emit: (record: CsvRecord) => void) {}

  /** Feeds decoded text; records are emitted as soon as their terminating newline is seen. */
  push(text: string): void {
    let i = 0;
    const n = text.length;
    if (this.pendingCarriageReturn && n > 0) {
      this.pendingCarriageReturn = false;
      // The LF of a CRLF split across chunks: already counted as a line break.
      if (text.charCodeAt(0) === 10) {
        if (this.state === State.Quoted) this.field += '\n';
        i = 1;
      }
    }
    while (i < n) {
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.Quoted: {
          // Fast path: copy everything up to the next quote or newline in one slice.
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === 34 || d === 10 || d === 13) break;
            j++;
          }
          if (j > i) {
            this.field += text.slice(i, j);
            i = j;
            continue;
          }
          if (c === 34) this.state = State.QuoteInQuoted;
          else {
            // A newline inside quotes belongs to the field; count it as a physical line.
            if (c === 13) {
              this.field += '\r';
              if (i + 1 >= n) this.pendingCarriageReturn = true;
              else if (text.charCodeAt(i + 1) === 10) {
                this.field += '\n';
                i++;
              }
            } else this.field += '\n';
            this.line++;
          }
          i++;
          continue;
        }
        case State.QuoteInQuoted:
          if (c === 34) {
            this.field += '"';
            this.state = State.Quoted;
            i++;
            continue;
          }
          if (c === 44 || c === 10 || c === 13) {
            this.state = State.Unquoted;
            continue; // handled below as a delimiter or newline
          }
          // Text after a closing quote ("ab"c): keep it, flag the record.
          this.fault ??= 'MALFORMED_QUOTE';
          this.state = State.Unquoted;
          continue;
        case State.FieldStart:
          if (c === 34) {
            this.state = State.Quoted;
            this.recordHasChars = true;
            i++;
            continue;
          }
          this.state = State.Unquoted;
          continue;
        case State.Unquoted: {
          if (c === 44) {
            this.fields.push(this.field);
            this.field = '';
            this.state = State.FieldStart;
            this.recordHasChars = true;
            i++;
            continue;
          }
          if (c === 10 || c === 13) {
            this.endRecord();
            this.line++;
            this.recordLine = this.line;
            if (c === 13) {
              if (i + 1 < n) {
                if (text.charCodeAt(i + 1) === 10) i++;
              } else this.pendingCarriageReturn = true;
            }
            i++;
            continue;
          }
          let j = i;
          while (j < n) {
            const d = text.charCodeAt(j);
            if (d === 44 || d === 10 || d === 13 || d === 34) break;
            j++;
          }
          if (j > i) {
            this.field += text.slice(i, j);
            this.recordHasChars = true;
            i = j;
            continue;
          }
          // A quote inside an unquoted field (ab"c).
          this.fault ??= 'MALFORMED_QUOTE';
          this.field += '"';
          this.recordHasChars = true;
          i++;
          continue;
        }
      }
    }
  }

  /** Ends the input: flushes a last record without a trailing newline, or reports an open quote. */
  end(): void {
    if (this.state === State.Quoted) {
      this.fault = 'UNTERMINATED_QUOTE';
      this.endRecord();
      return;
    }
    if (this.state === State.QuoteInQuoted) this.state = State.Unquoted;
    if (this.recordHasChars || this.fields.length > 0 || this.field.length > 0) this.endRecord();
  }

  private endRecord(): void {
    this.fields.push(this.field);
    this.emit({
      line: this.recordLine,
      fields: this.fields,
      blank: !this.recordHasChars && this.fields.length === 1 && this.field === '',
      fault: this.fault,
    });
    this.fields = [];
    this.field = '';
    this.fault = null;
    this.state = State.FieldStart;
    this.recordHasChars = false;
  }
}

/** Serializes one record for the normalized copy: quotes only where RFC 4180 requires. */
export function formatCsvRecord(fields: readonly string[]): string {
  return fields.map((f) => (/[",\r\n]/.test(f) ? `"${f.replace(/"/g, '""')}"` : f)).join(',');
}
