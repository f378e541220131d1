import { csvFile, csvText, encodeCsv } from '../../scripts/local/fixtures/csv-user-log';
import { CSV_HEADER, Reason } from '../csv-processor/contract';
import { validateCsv, type NormalizedSink, type ValidationLimits } from './validate';

/** Feeds `bytes` in small chunks so multi-byte characters and CRLFs straddle chunk edges. */
function source(bytes: Buffer, chunkSize = 7) {
  return async function* () {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  };
}

function memorySink() {
  const sink = { text: '', finished: false, aborted: false };
  const open = (): NormalizedSink => ({
    write: (t) => void (sink.text += t),
    finish: async () => void (sink.finished = true),
    abort: async () => void (sink.aborted = true),
  });
  return { sink, open };
}

async function validate(bytes: Buffer, limits: Partial<ValidationLimits> = {}) {
  const { sink, open } = memorySink();
  const result = await validateCsv(source(bytes), { limits, openNormalizedSink: open });
  return { ...result, sink };
}

const good = [
  ['U00001', '10', '5'],
  ['U00002', '0', '0'],
  ['U00003', '2147483647', '007'],
];

describe('validateCsv: good files', () => {
  it('accepts plain UTF-8 and reads it in place (no copy)', async () => {
    const r = await validate(csvFile(good));
    expect(r).toMatchObject({
      isValid: true,
      encoding: 'utf-8',
      rowCount: 3,
      issueCount: 0,
      normalized: false,
    });
    expect(r.sink.text).toBe('');
  });

  it('accepts CRLF line ends and quoted fields', async () => {
    const text = `${CSV_HEADER.join(',')}\r\n"U00001","10",5\r\nU00002,1,"2"\r\n`;
    expect(await validate(Buffer.from(text))).toMatchObject({ isValid: true, rowCount: 2 });
  });

  it('accepts a last row without a line end', async () => {
    const text = `${CSV_HEADER.join(',')}\nU00001,1,2`;
    expect(await validate(Buffer.from(text))).toMatchObject({ isValid: true, rowCount: 1 });
  });

  it.each(['utf-8-bom', 'shift_jis'] as const)('normalizes %s to plain UTF-8', async (encoding) => {
    const rows = [
      ['ユーザ１', '1', '2'],
      ['U00002', '3', '4'],
    ];
    const r = await validate(csvFile(rows, { encoding, lineEnd: '\r\n' }));
    expect(r).toMatchObject({ isValid: true, encoding, rowCount: 2, normalized: true });
    expect(r.sink).toMatchObject({ finished: true, aborted: false });
    expect(r.sink.text).toBe(`${CSV_HEADER.join(',')}\nユーザ１,1,2\nU00002,3,4\n`);
  });
});

/** Each bad file and the exact problem (reason, line, column) it must be reported with. */
const header = CSV_HEADER.join(',');
const badFiles: Array<[string, Buffer, { reason: string; line: number; column?: string | null }]> = [
  ['empty file', Buffer.alloc(0), { reason: Reason.EMPTY_FILE, line: 1 }],
  ['header only', Buffer.from(`${header}\n`), { reason: Reason.HEADER_ONLY, line: 2 }],
  [
    'renamed column',
    Buffer.from('ユーザーID,ログイン数,投稿回数\nU1,1,1\n'),
    { reason: Reason.HEADER_MISMATCH, line: 1 },
  ],
  [
    'missing column',
    Buffer.from('ユーザーID,ログイン回数\nU1,1\n'),
    { reason: Reason.HEADER_MISMATCH, line: 1 },
  ],
  ['extra column', Buffer.from(`${header},メモ\nU1,1,1,x\n`), { reason: Reason.HEADER_MISMATCH, line: 1 }],
  [
    'reordered columns',
    Buffer.from('ログイン回数,ユーザーID,投稿回数\n1,U1,1\n'),
    { reason: Reason.HEADER_MISMATCH, line: 1 },
  ],
  [
    'ragged row (short)',
    Buffer.from(`${header}\nU1,1,1\nU2,1\n`),
    { reason: Reason.WRONG_FIELD_COUNT, line: 3 },
  ],
  ['ragged row (long)', Buffer.from(`${header}\nU1,1,1,1\n`), { reason: Reason.WRONG_FIELD_COUNT, line: 2 }],
  ['blank line', Buffer.from(`${header}\nU1,1,1\n\nU2,1,1\n`), { reason: Reason.BLANK_LINE, line: 3 }],
  [
    'unterminated quote',
    Buffer.from(`${header}\nU1,1,1\n"U2,1,1\nU3,1,1\n`),
    { reason: Reason.UNTERMINATED_QUOTE, line: 3 },
  ],
  ['stray quote', Buffer.from(`${header}\nU"1,1,1\n`), { reason: Reason.MALFORMED_QUOTE, line: 2 }],
  [
    'empty user id',
    Buffer.from(`${header}\n,1,1\n`),
    { reason: Reason.USER_ID_EMPTY, line: 2, column: 'ユーザーID' },
  ],
  [
    'user id too long',
    Buffer.from(`${header}\nU0000000001,1,1\n`),
    { reason: Reason.USER_ID_TOO_LONG, line: 2, column: 'ユーザーID' },
  ],
  [
    'user id with a tab',
    Buffer.from(`${header}\nU\t1,1,1\n`),
    { reason: Reason.USER_ID_NOT_PRINTABLE, line: 2, column: 'ユーザーID' },
  ],
  [
    'user id with padding',
    Buffer.from(`${header}\n U1,1,1\n`),
    { reason: Reason.USER_ID_NOT_PRINTABLE, line: 2, column: 'ユーザーID' },
  ],
  [
    'formula =',
    Buffer.from(`${header}\n=1+2,1,1\n`),
    { reason: Reason.USER_ID_FORMULA, line: 2, column: 'ユーザーID' },
  ],
  [
    'formula +',
    Buffer.from(`${header}\n+U1,1,1\n`),
    { reason: Reason.USER_ID_FORMULA, line: 2, column: 'ユーザーID' },
  ],
  [
    'formula -',
    Buffer.from(`${header}\n-U1,1,1\n`),
    { reason: Reason.USER_ID_FORMULA, line: 2, column: 'ユーザーID' },
  ],
  [
    'formula @',
    Buffer.from(`${header}\n@SUM(A1),1,1\n`),
    { reason: Reason.USER_ID_FORMULA, line: 2, column: 'ユーザーID' },
  ],
  [
    'duplicate user',
    Buffer.from(`${header}\nU1,1,1\nU2,1,1\nU1,2,2\n`),
    { reason: Reason.DUPLICATE_USER, line: 4, column: 'ユーザーID' },
  ],
  [
    'decimal count',
    Buffer.from(`${header}\nU1,1.5,1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: 'ログイン回数' },
  ],
  [
    'negative count',
    Buffer.from(`${header}\nU1,1,-1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: '投稿回数' },
  ],
  [
    'signed count',
    Buffer.from(`${header}\nU1,+1,1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: 'ログイン回数' },
  ],
  [
    'blank count',
    Buffer.from(`${header}\nU1,,1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: 'ログイン回数' },
  ],
  [
    'exponent count',
    Buffer.from(`${header}\nU1,1e3,1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: 'ログイン回数' },
  ],
  [
    'spaced count',
    Buffer.from(`${header}\nU1, 1,1\n`),
    { reason: Reason.COUNT_NOT_INTEGER, line: 2, column: 'ログイン回数' },
  ],
  [
    'count over INTEGER',
    Buffer.from(`${header}\nU1,2147483648,1\n`),
    { reason: Reason.COUNT_OUT_OF_RANGE, line: 2, column: 'ログイン回数' },
  ],
  [
    'UTF-16 file',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header}\n`, 'utf16le')]),
    { reason: Reason.UNSUPPORTED_ENCODING, line: 1 },
  ],
  [
    'neither UTF-8 nor Shift_JIS',
    Buffer.concat([Buffer.from(`${header}\nU1,1,1\n`), Buffer.from([0x81, 0x20, 0xff, 0x0a])]),
    { reason: Reason.UNSUPPORTED_ENCODING, line: 3 },
  ],
];

describe('validateCsv: bad files', () => {
  it.each(badFiles)('%s', async (_name, bytes, expected) => {
    const r = await validate(bytes);
    expect(r.isValid).toBe(false);
    expect(r.issues[0]).toMatchObject({
      reason: expected.reason,
      line: expected.line,
      ...(expected.column !== undefined ? { column: expected.column } : {}),
    });
  });

  it('reports every problem with its line, not only the first', async () => {
    const r = await validate(Buffer.from(`${header}\nU1,1,x\n=U2,1,1\nU3,1,1\nU3,1.0,1\n`));
    expect(r.issues.map((i) => [i.line, i.reason])).toEqual([
      [2, Reason.COUNT_NOT_INTEGER],
      [3, Reason.USER_ID_FORMULA],
      [5, Reason.DUPLICATE_USER],
      [5, Reason.COUNT_NOT_INTEGER],
    ]);
    expect(r.issues[2]!.value).toBe('U3');
    expect(r.issues[2]!.detail).toBe('first at line 4');
    expect(r.issues[2]!.userId).toBe('U3');
  });

  it('discards the normalized copy of an invalid file', async () => {
    const r = await validate(csvFile([['U1', '1', 'x']], { encoding: 'shift_jis' }));
    expect(r.isValid).toBe(false);
    expect(r.sink).toMatchObject({ finished: false, aborted: true });
  });

  it('rejects a file over the size limit before reading it, and while streaming', async () => {
    const bytes = csvFile(good);
    const early = await validateCsv(source(bytes), { limits: { maxBytes: 10 }, contentLength: bytes.length });
    expect(early.issues[0]!.reason).toBe(Reason.FILE_TOO_LARGE);
    const streamed = await validate(bytes, { maxBytes: 40 });
    expect(streamed.issues[0]!.reason).toBe(Reason.FILE_TOO_LARGE);
  });

  it('stops at the row limit and names the first line beyond it', async () => {
    const r = await validate(csvFile(good), { maxRows: 2 });
    expect(r.issues).toEqual([{ line: 4, column: null, value: '2', reason: Reason.TOO_MANY_ROWS }]);
  });

  it('keeps counting issues beyond the report cap', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`U${i}`, 'x', '1']);
    const r = await validate(encodeCsv(csvText(rows)), { maxReportedIssues: 10 });
    expect(r.issues).toHaveLength(10);
    expect(r.issueCount).toBe(30);
  });
});
