import { jstIso } from '../shared/jst';
import type { RunCounts } from '../shared/runs-ledger';

/**
 * How a run's times, duration and counts read in a notice, the daily report and its page:
 * operators think in JST, so every time shown to a person is JST.
 */

/** `2026-12-01 09:00:05 JST` for an ISO-8601 instant. */
export function formatJst(iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return `${jstIso(at).slice(0, 19).replace('T', ' ')} JST`;
}

/** `1h 2m 3s`, `4m 5s`, `6s`, `0.4s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${(Math.max(ms, 0) / 1000).toFixed(1)}s`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return [h ? `${h}h` : '', h || m ? `${m}m` : '', `${s}s`].filter(Boolean).join(' ');
}

/** Milliseconds from start to end, or undefined while the run has no (valid) end. */
export function durationMs(run: { startedAt: string; endedAt?: string }): number | undefined {
  if (!run.endedAt) return undefined;
  const ms = Date.parse(run.endedAt) - Date.parse(run.startedAt);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

const COUNT_LABELS: Array<[keyof RunCounts, string]> = [
  ['in', 'in'],
  ['applied', 'applied'],
  ['failed', 'failed'],
  ['apiCalls', 'API calls'],
];

/** `in 100, applied 98, failed 2`, or `none recorded`. */
export function formatCounts(counts: RunCounts | undefined): string {
  const parts = COUNT_LABELS.filter(([key]) => typeof counts?.[key] === 'number').map(
    ([key, label]) => `${label} ${counts![key]!.toLocaleString('en-US')}`,
  );
  return parts.length ? parts.join(', ') : 'none recorded';
}
