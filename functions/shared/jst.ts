/**
 * Japan Standard Time helpers. Japan has no daylight saving, so JST is always UTC+9;
 * operators think in JST, so every schedule, "yesterday" and partition uses it.
 */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

export interface JstParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
}

export function jstParts(at: Date = new Date()): JstParts {
  const shifted = new Date(at.getTime() + JST_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return {
    year: String(shifted.getUTCFullYear()),
    month: pad(shifted.getUTCMonth() + 1),
    day: pad(shifted.getUTCDate()),
    hour: pad(shifted.getUTCHours()),
    minute: pad(shifted.getUTCMinutes()),
  };
}

/** The JST calendar date of `at` as YYYY-MM-DD. */
export function jstDate(at: Date = new Date()): string {
  const p = jstParts(at);
  return `${p.year}-${p.month}-${p.day}`;
}

/** The JST calendar date before the one `at` falls on, as YYYY-MM-DD. */
export function jstYesterday(at: Date = new Date()): string {
  return jstDate(new Date(at.getTime() - 24 * 60 * 60 * 1000));
}

/** UTC instants bounding a JST calendar date: [start, end). */
export function jstDayRange(date: string): { start: Date; end: Date } {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`Expected YYYY-MM-DD, got "${date}"`);
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const start = new Date(Date.UTC(year, month - 1, day) - JST_OFFSET_MS);
  if (jstDate(start) !== date) throw new RangeError(`Not a calendar date: "${date}"`);
  return { start, end: new Date(start.getTime() + 24 * 60 * 60 * 1000) };
}

/** Hive-style partition path `year=YYYY/month=MM/day=DD` in JST. */
export function jstPartitionPath(at: Date = new Date()): string {
  const p = jstParts(at);
  return `year=${p.year}/month=${p.month}/day=${p.day}`;
}

/** `YYYYMMDD_HHMM` in JST, for object names. */
export function jstStamp(at: Date = new Date()): string {
  const p = jstParts(at);
  return `${p.year}${p.month}${p.day}_${p.hour}${p.minute}`;
}

/** ISO-8601 timestamp with the +09:00 offset, for human-facing records. */
export function jstIso(at: Date = new Date()): string {
  const shifted = new Date(at.getTime() + JST_OFFSET_MS).toISOString();
  return `${shifted.slice(0, -1)}+09:00`;
}
