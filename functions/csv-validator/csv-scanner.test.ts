import { CsvScanner, formatCsvRecord, type CsvRecord } from './csv-scanner';

function scan(chunks: string[]): CsvRecord[] {
  const records: CsvRecord[] = [];
  const scanner = new CsvScanner((r) => records.push(r));
  for (const chunk of chunks) scanner.push(chunk);
  scanner.end();
  return records;
}

describe('CsvScanner', () => {
  it('splits LF and CRLF records and numbers their lines', () => {
    const records = scan(['a,b\r\nc,d\ne,f']);
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [1, ['a', 'b']],
      [2, ['c', 'd']],
      [3, ['e', 'f']],
    ]);
  });

  it('handles quoted fields with commas, escaped quotes and newlines, counting physical lines', () => {
    const records = scan(['"a,1","say ""hi""","multi\r\nline"\nnext,row\n']);
    expect(records[0]).toMatchObject({ line: 1, fields: ['a,1', 'say "hi"', 'multi\r\nline'], fault: null });
    expect(records[1]).toMatchObject({ line: 3, fields: ['next', 'row'] });
  });

  it('gives the same records whatever the chunk boundaries', () => {
    const text = 'h1,h2\r\n"x,""y""",2\r\nz,3\r\n';
    const whole = scan([text]);
    for (let cut = 1; cut < text.length; cut++) {
      expect(scan([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    }
    expect(scan(text.split(''))).toEqual(whole);
  });

  it('reports an unterminated quote on the line where the record starts', () => {
    const records = scan(['a,b\n"open,1\nmore\n']);
    expect(records[1]).toMatchObject({ line: 2, fault: 'UNTERMINATED_QUOTE' });
  });

  it('flags quotes inside unquoted fields and text after a closing quote', () => {
    expect(scan(['ab"c,1\n'])[0]!.fault).toBe('MALFORMED_QUOTE');
    expect(scan(['"ab"c,1\n'])[0]!.fault).toBe('MALFORMED_QUOTE');
  });

  it('marks empty lines as blank records and ignores the final line end', () => {
    const records = scan(['a\n\nb\n']);
    expect(records.map((r) => [r.line, r.blank])).toEqual([
      [1, false],
      [2, true],
      [3, false],
    ]);
    expect(scan(['""\n'])[0]!.blank).toBe(false);
  });

  it('quotes only the fields that need it when formatting', () => {
    expect(formatCsvRecord(['U1', 'a,b', 'say "x"', 'plain'])).toBe('U1,"a,b","say ""x""",plain');
  });
});
