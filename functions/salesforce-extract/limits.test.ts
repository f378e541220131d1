import { SalesforceLimitError } from './errors';
import { preflightLimits } from './limits';

const limits = (api: [number, number], bulk?: [number, number]) => ({
  DailyApiRequests: { Max: api[0], Remaining: api[1] },
  ...(bulk ? { DailyBulkV2QueryJobs: { Max: bulk[0], Remaining: bulk[1] } } : {}),
});

describe('preflightLimits', () => {
  it('passes at and above the floor with enough Bulk jobs', () => {
    expect(() =>
      preflightLimits(limits([15000, 1500], [10000, 2]), { minApiRemainingFraction: 0.1, bulkJobsNeeded: 2 }),
    ).not.toThrow();
    expect(() =>
      preflightLimits(limits([15000, 15000]), { minApiRemainingFraction: 0.1, bulkJobsNeeded: 0 }),
    ).not.toThrow();
  });

  it('fails under the API floor, naming remaining, max and the floor', () => {
    const error = (() => {
      try {
        preflightLimits(limits([15000, 1499], [10000, 9000]), {
          minApiRemainingFraction: 0.1,
          bulkJobsNeeded: 1,
        });
      } catch (e) {
        return e as SalesforceLimitError;
      }
    })();
    expect(error).toBeInstanceOf(SalesforceLimitError);
    expect(error!.name).toBe('SalesforceLimitError');
    expect(error!.message).toBe(
      'DailyApiRequests: 1499 of 15000 remaining, under the floor of 1500 (10 % of Max); not starting',
    );
  });

  it('fails when fewer Bulk query jobs remain than the run needs', () => {
    expect(() =>
      preflightLimits(limits([15000, 15000], [10000, 1]), {
        minApiRemainingFraction: 0.1,
        bulkJobsNeeded: 2,
      }),
    ).toThrow(
      'DailyBulkV2QueryJobs: 1 of 10000 remaining, fewer than the 2 Bulk query job(s) this run needs; not starting',
    );
  });

  it('fails clearly when /limits lacks a resource it needs', () => {
    expect(() => preflightLimits({}, { minApiRemainingFraction: 0.1, bulkJobsNeeded: 0 })).toThrow(
      /no DailyApiRequests/,
    );
    expect(() =>
      preflightLimits(limits([10, 10]), { minApiRemainingFraction: 0.1, bulkJobsNeeded: 1 }),
    ).toThrow(/no DailyBulkV2QueryJobs/);
  });

  it('honours another floor and rejects a nonsensical one', () => {
    expect(() =>
      preflightLimits(limits([1000, 240]), { minApiRemainingFraction: 0.25, bulkJobsNeeded: 0 }),
    ).toThrow(/floor of 250 \(25 % of Max\)/);
    expect(() =>
      preflightLimits(limits([1000, 0]), { minApiRemainingFraction: 0, bulkJobsNeeded: 0 }),
    ).not.toThrow();
    expect(() =>
      preflightLimits(limits([1000, 0]), { minApiRemainingFraction: 10, bulkJobsNeeded: 0 }),
    ).toThrow(RangeError);
  });
});
