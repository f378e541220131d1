import { queryFirstPage, queryNextPage } from '../api';
import { headerLine, restRow, type NulCounter } from '../canonical';
import { RecordCountMismatchError } from '../errors';
import { carryPrefix, ResumableUpload } from '../upload';
import { requirePlan, withClient, type StepDeps } from './deps';
import type { ObjectTask } from './types';

/**
 * REST query pages into the upload, following nextRecordsUrl verbatim until done. Stops
 * between pages once the time budget is spent (at least one page per invocation, so a
 * run always moves), saving the next URL and the upload's state; the ASL loops back here.
 */
export async function restExtract(deps: StepDeps, task: ObjectTask): Promise<ObjectTask> {
  const plan = requirePlan(task);
  if (!task.upload) throw new Error(`${task.object}: no upload in the task`);
  const upload = await ResumableUpload.open(deps.s3, task.upload, carryPrefix(task.run.id, task.object), {
    partSize: deps.config.UPLOAD_PART_BYTES,
  });
  const counter: NulCounter = { nulStripped: task.stats.nulStripped };
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
    task.upload = await upload.checkpoint();
    task.stats.records = upload.records;
    task.stats.nulStripped = counter.nulStripped;
    if (task.done && task.totalSize !== undefined && upload.records !== task.totalSize) {
      throw new RecordCountMismatchError(
        `${task.object}: ${upload.records} rows written, the query's totalSize is ${task.totalSize}`,
        { rowsWritten: upload.records, totalSize: task.totalSize },
      );
    }
    return task;
  });
}
