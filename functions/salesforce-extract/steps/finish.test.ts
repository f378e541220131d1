import { RecordCountMismatchError } from '../errors';
import { emptyStats } from './deps';
import { reconcile } from './download';
import { describeCause, objectSummary, summarize } from './finish';
import type { ObjectTask } from './types';

const task = (overrides: Partial<ObjectTask> = {}): ObjectTask => ({
  object: 'Contact',
  config: { name: 'Contact', fields: '*', mode: 'auto', incremental: true, includeDeleted: false },
  run: { id: 'run-1', startedAt: '2026-12-01T00:00:00.000Z', full: false },
  settings: { pollSeconds: 15, maxPolls: 240 },
  page: 3,
  done: true,
  stats: { ...emptyStats(), pageRecords: 100 },
  job: { id: '750000000000001AAA', state: 'JobComplete', polls: 2, numberRecordsProcessed: 100 },
  ...overrides,
});

describe('reconcile', () => {
  it('passes when rows written, page counts and the job agree', () => {
    expect(() => reconcile(task(), 100)).not.toThrow();
  });

  it('fails on any disagreement, naming all three counts', () => {
    expect(() => reconcile(task(), 99)).toThrow(RecordCountMismatchError);
    expect(() =>
      reconcile(task({ job: { id: 'j', state: 'JobComplete', polls: 1, numberRecordsProcessed: 101 } }), 100),
    ).toThrow('Contact: 100 rows written, results pages announced 100, job j processed 101');
  });
});

describe('summarize', () => {
  const ok = {
    object: 'Account',
    status: 'SUCCEEDED' as const,
    mode: 'rest' as const,
    records: 5,
    key: 'raw/Account/a.csv',
    bytes: 10,
    manifestKey: 'raw/Account/a.manifest.json',
  };

  it('keys the output by object, exactly the contract’s fields', () => {
    expect(summarize([ok])).toEqual({
      status: 'SUCCEEDED',
      objects: {
        Account: {
          mode: 'rest',
          records: 5,
          key: 'raw/Account/a.csv',
          bytes: 10,
          manifestKey: 'raw/Account/a.manifest.json',
        },
      },
    });
  });

  it('fails with a cause naming each failed object and its error', () => {
    const summary = summarize([
      ok,
      { object: 'Contact', status: 'FAILED', error: 'BulkJobFailedError', cause: 'job ended Failed: x' },
      { object: 'Lead', status: 'FAILED', error: 'States.Timeout', cause: '' },
    ]);
    expect(summary.status).toBe('FAILED');
    expect(summary.cause).toBe(
      '2 of 3 object(s) failed: Contact: BulkJobFailedError (job ended Failed: x); Lead: States.Timeout',
    );
  });
});

describe('failure details', () => {
  it('keeps the message of a Lambda error cause and the text of any other', () => {
    expect(describeCause(JSON.stringify({ errorType: 'X', errorMessage: 'boom', trace: ['at ...'] }))).toBe(
      'boom',
    );
    expect(describeCause('Bulk query job j still InProgress after 3 polls')).toBe(
      'Bulk query job j still InProgress after 3 polls',
    );
    expect(describeCause(undefined)).toBe('');
  });

  it('logs one line per object with job, pages, rows, bytes, retries, API calls and key', () => {
    const line = objectSummary(
      task({
        stats: {
          ...emptyStats(),
          pages: 3,
          records: 100,
          retries: 1,
          apiCalls: 9,
          apiUsed: 20,
          apiMax: 15000,
        },
      }),
    );
    expect(line).toMatchObject({
      object: 'Contact',
      jobId: '750000000000001AAA',
      pages: 3,
      rows: 100,
      bytes: 0,
      retries: 1,
      apiCalls: 9,
      apiUsage: '20/15000',
      key: null,
    });
  });
});
