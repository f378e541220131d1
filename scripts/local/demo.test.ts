import { countsOf, demoTable, pack, wrap } from './demo';

describe('demo summary table', () => {
  const rows = [
    {
      pipeline: 'csv-processor',
      status: 'PARTIAL',
      seconds: 3.25,
      result: [
        'rows: total=1000 succeeded=975 failed=25',
        '(PARTIAL by design: every 40th user is not seeded (2.5 % USER_NOT_FOUND, 5 % tolerated))',
      ],
    },
    {
      pipeline: 'sync-batch',
      status: 'success',
      seconds: 1,
      result: countsOf({
        status: 'success',
        channels: 3,
        videos: 342,
        rows: { channels: 3, videos: 360, stats: 342 },
        changes: { videosInserted: 360, videosUpdated: 0, statsInserted: 342, statsUpdated: 0 },
        archive: { bucket: 'b', keys: ['k'] },
        durationMs: 5,
      }),
    },
  ];

  it('fits in 100 columns and keeps every part of every result', () => {
    const table = demoTable(rows);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const text = table.replace(/\s+/g, ' ');
    for (const part of rows.flatMap((r) => r.result)) expect(text).toContain(part);
    expect(table.split('\n')[2]).toMatch(/^csv-processor {2}PARTIAL {2}3\.3s {2}rows: total=1000/);
  });

  it('summarizes a result by its counts only, durations left out', () => {
    expect(countsOf({ a: 1, b: 'x', c: { d: 2 }, e: { f: 1, g: 'y' }, durationMs: 9 })).toEqual([
      'a=1',
      'c: d=2',
    ]);
  });

  it('gives one part per entry of an object of counts objects (etl datasets)', () => {
    expect(
      countsOf({
        status: 'SUCCEEDED',
        dates: ['2026-11-30'],
        datasets: {
          daily_sales_summary: { extracted: 10, loaded: 10 },
          customer_analytics: { extracted: 3, loaded: 2 },
        },
        mixed: { a: { b: 1 }, c: 'x' },
      }),
    ).toEqual(['daily_sales_summary: extracted=10 loaded=10', 'customer_analytics: extracted=3 loaded=2']);
  });

  it('packs parts on as few lines as fit and wraps a part longer than a line', () => {
    expect(pack(['a=1', 'b=2', 'c=3'], 20)).toEqual(['a=1; b=2; c=3']);
    expect(pack(['aaaa bbbb', 'cccc'], 10)).toEqual(['aaaa bbbb;', 'cccc']);
    expect(wrap('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrap('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });
});
