import { queryFirstPage, queryNextPage } from '../api';
import { headerLine, restRow } from '../canonical';
import { RecordCountMismatchError } from '../errors';
import { checkpointUpload, requirePlan, resumeUpload, withClient, type StepDeps } from './deps';
import type { ObjectTask } from './types';

/**
 * REST query pages into the upload, following nextRecordsUrl verbatim until done. Stops
 * between pages once the time budget is spent (at least one page per invocation, so a
 * run always moves), saving the next URL and the upload's state; the ASL loops back here.
 */
export async function restExtract(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const plan = requirePlan(task);
  if (!task.upload) throw new Error(`${task.object}: no upload in the task`);
  const { upload, counter } = await resumeUpload(deps, task, task.upload);
  return withClient(deps, task, async (client) => {
    if (upload.bytes === 0) await upload.write(headerLine(plan.fields));
    for (let pages = 0; ; pages++) {
      if (pages > 0 && Date.now() >= deps.deadline) break;
      const page =
        task.nextRecordsUrl === undefined
          ? await queryFirstPage(client, plan.soql, { all: plan.all })
          : await queryNextPage(client, task.nextRecordsUrl);
      if (task.page === 0) task.totalSize = page.totalSize;
      for (const record of page.records) {
        const pending = upload.write(restRow(record, plan, counter), 1);
        if (pending) await pending;
      }
      task.page++;
      task.stats.pages++;
      if (page.done || !page.nextRecordsUrl) {
        delete task.nextRecordsUrl;
        task.done = true;
        break;
      }
      task.nextRecordsUrl = page.nextRecordsUrl;
    }
    await checkpointUpload(task, upload, counter);
    if (task.done && task.totalSize !== undefined && upload.records !== task.totalSize) {
      throw new RecordCountMismatchError(
        `${task.object}: ${upload.records} rows written, the query's totalSize is ${task.totalSize}`,
        { rowsWritten: upload.records, totalSize: task.totalSize },
      );
    }
    return task;
  });
}
