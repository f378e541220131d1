import { formatTable } from './table';

describe('formatTable', () => {
  it('aligns numbers right and text left under a rule', () => {
    expect(
      formatTable(
        ['function', 'zip bytes'],
        [
          ['sync-batch', '805998'],
          ['csv-migrate', '42'],
        ],
      ),
    ).toBe(
      [
        'function     zip bytes',
        '-----------  ---------',
        'sync-batch      805998',
        'csv-migrate         42',
      ].join('\n'),
    );
  });

  it('aligns every column left on request, without trailing spaces', () => {
    expect(
      formatTable(
        ['pipeline', 'result'],
        [
          ['csv', 'rows=3'],
          ['sync-batch', 'ok'],
        ],
        { align: 'left' },
      ),
    ).toBe(['pipeline    result', '----------  ------', 'csv         rows=3', 'sync-batch  ok'].join('\n'));
  });
});
