import { getLimits } from '../api';
import { selectObjects } from '../config';
import { preflightLimits } from '../limits';
import { emptyStats, type StepDeps } from './deps';
import type { ObjectTask, PreflightResult, RunInput } from './types';

/**
 * Before anything is created: mint the token (an auth problem fails here, once), read
 * /limits and refuse to start under the API floor or without enough Bulk jobs left, and
 * decide which objects run. Objects in auto mode may need a Bulk job: counted as needing one.
 */
export async function preflight(
  deps: StepDeps,
  event: { input: RunInput | null; execution: { name: string }; settings: ObjectTask['settings'] },
): Promise<PreflightResult> {
  const input = event.input ?? {};
  const configs = selectObjects(deps.config.SALESFORCE_OBJECTS, input);
  const full = input.full === true;
  const startedAt = deps.now().toISOString();
  const client = await deps.salesforce();
  const limits = await getLimits(client);
  const bulkJobsNeeded = configs.filter((c) => c.mode !== 'rest').length;
  preflightLimits(limits, {
    minApiRemainingFraction: deps.config.API_FLOOR_PERCENT / 100,
    bulkJobsNeeded,
  });
  const api = limits.DailyApiRequests!;
  deps.log('preflight passed', {
    runId: event.execution.name,
    objects: configs.map((c) => `${c.name}:${c.mode}`),
    full,
    apiRemaining: api.Remaining,
    apiMax: api.Max,
    bulkJobsRemaining: limits.DailyBulkV2QueryJobs?.Remaining,
    apiCalls: client.usage.calls,
  });
  const objects: ObjectTask[] = configs.map((config) => ({
    object: config.name,
    config,
    run: { id: event.execution.name, startedAt, full },
    settings: event.settings,
    page: 0,
    done: false,
    stats: emptyStats(),
  }));
  return {
    runId: event.execution.name,
    startedAt,
    full,
    objects,
    api: {
      remaining: api.Remaining,
      max: api.Max,
      ...(limits.DailyBulkV2QueryJobs ? { bulkJobsRemaining: limits.DailyBulkV2QueryJobs.Remaining } : {}),
    },
  };
}
