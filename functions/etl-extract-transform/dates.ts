import { InputValidationError } from '../shared/errors';
import { jstDayRange, jstYesterday } from '../shared/jst';

/** A backfill covers at most this many dates per call. */
export const MAX_DATES = 31;

/** The dates one run extracts, from whatever invoked it. */
export interface DateRequest {
  date?: unknown;
  from?: unknown;
  to?: unknown;
}

function calendarDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new InputValidationError(`${field} must be a date as YYYY-MM-DD, got ${JSON.stringify(value)}`, {
      field,
    });
  }
  try {
    jstDayRange(value);
  } catch {
    throw new InputValidationError(`${field} ${value} is not a calendar date`, { field });
  }
  return value;
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The JST dates to process, oldest first: `{date}`, or `{from, to}` (inclusive, at most 31 dates),
 * else yesterday in JST (the 02:00 JST schedule). Anything else is an InputValidationError that
 * names the field, so a bad manual trigger fails at once and changes nothing.
 */
export function targetDates(request: DateRequest, now: Date = new Date()): string[] {
  const { date, from, to } = request;
  if (date !== undefined && (from !== undefined || to !== undefined)) {
    throw new InputValidationError('give either date, or from and to, not both', { field: 'date' });
  }
  if (date !== undefined) return [calendarDate(date, 'date')];
  if (from === undefined && to === undefined) return [jstYesterday(now)];
  if (from === undefined || to === undefined) {
    throw new InputValidationError('a backfill needs both from and to', {
      field: from === undefined ? 'from' : 'to',
    });
  }
  const start = calendarDate(from, 'from');
  const end = calendarDate(to, 'to');
  if (start > end) throw new InputValidationError(`from ${start} is after to ${end}`, { field: 'from' });
  const dates: string[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) {
    if (dates.length === MAX_DATES) {
      throw new InputValidationError(
        `${start}..${end} covers more than ${MAX_DATES} dates; split the backfill into calls of at most ${MAX_DATES}`,
        { field: 'to' },
      );
    }
    dates.push(d);
  }
  return dates;
}
