import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { loadExtractConfig } from './config';
import { createHandler, InvalidStepEventError } from './handler';
import { StepEventSchema } from './steps/types';

const config = loadExtractConfig({ RAW_BUCKET: 'raw', WATERMARK_TABLE: 'wm', SALESFORCE_SECRET_ID: 'sf' });

describe('salesforce-extract handler', () => {
  it.each(readdirSync(join(__dirname, 'events')))('example event %s has the shape of its step', (file) => {
    const event: unknown = JSON.parse(readFileSync(join(__dirname, 'events', file), 'utf8'));
    const parsed = z.safeParse(StepEventSchema, event);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('names the step and the offending fields of an event it cannot use', async () => {
    const handler = createHandler({ config });
    await expect(handler({ step: 'download', task: { object: 'Account' } })).rejects.toThrow(
      InvalidStepEventError,
    );
    await expect(handler({ step: 'launch' })).rejects.toThrow(
      /Event for step "launch" has an unexpected shape \(check: /,
    );
  });

  it('summarizes results without touching AWS or Salesforce', async () => {
    const handler = createHandler({ config });
    const event = JSON.parse(readFileSync(join(__dirname, 'events', 'summarize.json'), 'utf8')) as unknown;
    await expect(handler(event)).resolves.toMatchObject({
      status: 'FAILED',
      objects: { Account: { mode: 'rest', records: 250 } },
      cause:
        '1 of 2 object(s) failed: Contact: BulkJobFailedError (Bulk query job 750000000000001AAA ended Failed: InvalidBatch : Failed to process query)',
    });
  });
});
