import type { Limits } from './api';
import { SalesforceLimitError } from './errors';

export const DEFAULT_MIN_API_REMAINING_FRACTION = 0.1;

/**
 * Fails fast, before any job is created, when the org's daily allowances cannot carry the
 * run: DailyApiRequests remaining under the floor (a fraction of Max, default 10 %) would
 * starve the org's other integrations; fewer DailyBulkV2QueryJobs remaining than the
 * bulk jobs this run needs would fail part-way.
 */
export function preflightLimits(
  limits: Limits,
  options: { minApiRemainingFraction: number; bulkJobsNeeded: number },
): void {
  const fraction = options.minApiRemainingFraction;
  if (!(fraction >= 0 && fraction <= 1)) {
    throw new RangeError(`minApiRemainingFraction must be between 0 and 1 (got ${fraction})`);
  }
  const api = limits.DailyApiRequests;
  if (!api)
    throw new SalesforceLimitError('The /limits answer has no DailyApiRequests: cannot check the API budget');
  const floor = Math.ceil(api.Max * fraction);
  if (api.Remaining < floor) {
    throw new SalesforceLimitError(
      `DailyApiRequests: ${api.Remaining} of ${api.Max} remaining, under the floor of ${floor} (${formatPercent(fraction)} of Max); not starting`,
    );
  }
  if (options.bulkJobsNeeded > 0) {
    const bulk = limits.DailyBulkV2QueryJobs;
    if (!bulk) {
      throw new SalesforceLimitError(
        'The /limits answer has no DailyBulkV2QueryJobs: cannot check the Bulk job allowance',
      );
    }
    if (bulk.Remaining < options.bulkJobsNeeded) {
      throw new SalesforceLimitError(
        `DailyBulkV2QueryJobs: ${bulk.Remaining} of ${bulk.Max} remaining, fewer than the ${options.bulkJobsNeeded} Bulk query job(s) this run needs; not starting`,
      );
    }
  }
}

function formatPercent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))} %`;
}
