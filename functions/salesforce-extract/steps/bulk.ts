import { createQueryJob, getQueryJob } from '../api';
import { BulkJobFailedError } from '../errors';
import { requirePlan, withClient, type StepDeps } from './deps';
import type { ObjectTask } from './types';

/** Creates the Bulk API 2.0 query job (query or queryAll, CSV, LF). Never retried: see the ASL. */
export async function createJob(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const plan = requirePlan(task);
  return withClient(deps, task, async (client) => {
    const job = await createQueryJob(client, plan.soql, { all: plan.all });
    task.job = { id: job.id, state: job.state, polls: 0 };
    task.stats.stateChanges.push(`job ${job.id} ${job.state}`);
    deps.log('bulk job created', { object: task.object, jobId: job.id, state: job.state });
    return task;
  });
}

/** One look at the job (the Wait state did the waiting). Failed or Aborted end the object. */
export async function pollJob(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const job = task.job;
  if (!job) throw new Error(`${task.object}: pollJob before createJob`);
  return withClient(deps, task, async (client) => {
    const info = await getQueryJob(client, job.id);
    job.polls++;
    if (info.state !== job.state) task.stats.stateChanges.push(`${job.state}→${info.state}`);
    job.state = info.state;
    if (info.numberRecordsProcessed !== undefined) job.numberRecordsProcessed = info.numberRecordsProcessed;
    if (info.errorMessage) job.errorMessage = info.errorMessage;
    if (info.state === 'Failed' || info.state === 'Aborted') {
      throw new BulkJobFailedError(job.id, info.state, info.errorMessage);
    }
    return task;
  });
}
