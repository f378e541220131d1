import { targetDates } from './dates';
import { dateRequest } from './handler';

describe('etl target dates', () => {
  // 2026-12-01 00:30 JST is still 2026-11-30 in UTC: "yesterday" must be counted in JST.
  const now = new Date('2026-11-30T15:30:00Z');

  it('defaults to yesterday in JST', () => {
    expect(targetDates({}, now)).toEqual(['2026-11-30']);
    expect(targetDates({}, new Date('2026-11-30T14:59:59Z'))).toEqual(['2026-11-29']);
  });

  it('takes one date, or an inclusive range of at most 31 dates across month ends', () => {
    expect(targetDates({ date: '2024-02-29' }, now)).toEqual(['2024-02-29']);
    expect(targetDates({ from: '2026-02-27', to: '2026-03-02' }, now)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
      '2026-03-02',
    ]);
    expect(targetDates({ from: '2026-01-01', to: '2026-01-31' }, now)).toHaveLength(31);
  });

  it('refuses impossible dates, reversed or oversized ranges, and half a range, naming the field', () => {
    expect(() => targetDates({ date: '2026-02-30' }, now)).toThrow('date 2026-02-30 is not a calendar date');
    expect(() => targetDates({ date: '2026/02/01' }, now)).toThrow('date must be a date as YYYY-MM-DD');
    expect(() => targetDates({ from: '2026-03-02', to: '2026-03-01' }, now)).toThrow(
      'from 2026-03-02 is after to 2026-03-01',
    );
    expect(() => targetDates({ from: '2026-01-01', to: '2026-02-01' }, now)).toThrow(
      '2026-01-01..2026-02-01 covers more than 31 dates',
    );
    expect(() => targetDates({ from: '2026-01-01' }, now)).toThrow('a backfill needs both from and to');
    expect(() => targetDates({ date: '2026-01-01', to: '2026-01-02' }, now)).toThrow('not both');
    expect(() => targetDates({ date: '2026-02-30' }, now)).toThrow(
      expect.objectContaining({ name: 'InputValidationError' }),
    );
  });

  it('reads the request from a direct invocation or from a manual-trigger event detail', () => {
    expect(dateRequest({ date: '2026-11-01' })).toEqual({
      date: '2026-11-01',
      from: undefined,
      to: undefined,
    });
    expect(
      dateRequest({
        source: 'etl',
        'detail-type': 'manual-trigger',
        detail: { environment: 'prd', from: '2026-11-01', to: '2026-11-03' },
      }),
    ).toEqual({ date: undefined, from: '2026-11-01', to: '2026-11-03' });
    expect(dateRequest({ 'detail-type': 'Scheduled Event', detail: {} })).toEqual({
      date: undefined,
      from: undefined,
      to: undefined,
    });
    expect(dateRequest(undefined)).toEqual({ date: undefined, from: undefined, to: undefined });
  });
});
