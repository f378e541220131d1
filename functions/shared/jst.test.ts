import { jstDate, jstDayRange, jstIso, jstPartitionPath, jstStamp, jstYesterday } from './jst';

describe('JST helpers', () => {
  // 2025-08-01T15:30:00Z is 2025-08-02 00:30 in Tokyo: the UTC date would be wrong.
  const justAfterMidnightJst = new Date('2025-08-01T15:30:00Z');

  it('takes the calendar date in Tokyo, not UTC', () => {
    expect(jstDate(justAfterMidnightJst)).toBe('2025-08-02');
    expect(jstYesterday(justAfterMidnightJst)).toBe('2025-08-01');
  });

  it('builds partition paths and stamps in JST', () => {
    expect(jstPartitionPath(justAfterMidnightJst)).toBe('year=2025/month=08/day=02');
    expect(jstStamp(justAfterMidnightJst)).toBe('20250802_0030');
    expect(jstIso(justAfterMidnightJst)).toBe('2025-08-02T00:30:00.000+09:00');
  });

  it('crosses month and year boundaries', () => {
    expect(jstYesterday(new Date('2025-12-31T15:00:00Z'))).toBe('2025-12-31');
    expect(jstDate(new Date('2025-12-31T15:00:00Z'))).toBe('2026-01-01');
    expect(jstYesterday(new Date('2024-02-29T16:00:00Z'))).toBe('2024-02-29');
  });

  it('bounds a JST day in UTC instants', () => {
    const { start, end } = jstDayRange('2025-08-02');
    expect(start.toISOString()).toBe('2025-08-01T15:00:00.000Z');
    expect(end.toISOString()).toBe('2025-08-02T15:00:00.000Z');
    expect(() => jstDayRange('2025-02-30')).toThrow(/Not a calendar date/);
    expect(() => jstDayRange('20250802')).toThrow(/YYYY-MM-DD/);
  });
});
