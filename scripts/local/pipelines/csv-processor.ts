import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { jstStamp } from '../../../functions/shared/jst';
import { createS3Client } from '../../../functions/shared/s3';
import { UsageError } from '../../lib/args';
import { csvFile, userId } from '../fixtures/csv-user-log';
import { distLambdas, executeStateMachine, localLambdas, uploadInput } from './csv-processor-flow';
import { formatText, saveFullReport } from './csv-processor-report';
import {
  INCOMING_PREFIX,
  LOCAL_RUNS_DIR,
  demoFile,
  demoUnknownUser,
  functionEnv,
  localNames,
  migrate,
  prepareCsvProcessor,
  seedUsers,
} from './csv-processor-stack';
import { definePipeline } from './runner';
import type { RunContext } from './types';

export * from './csv-processor-stack';
export * from './csv-processor-flow';

/**
 * csv-processor on the local stack: the file is uploaded to the input bucket, the
 * S3 → EventBridge event is delivered to the state machine defined by the same ASL
 * file Terraform deploys, and its Lambda tasks call the functions' handlers in
 * process, against PostgreSQL, local S3 and DynamoDB. Names and resources mirror
 * infrastructure/terraform/modules/csv-processor (csv-processor.terraform.test.ts
 * keeps them in step).
 */
const options = {
  file: { type: 'file', value: 'path.csv', description: 'the CSV to upload and process' },
  rows: {
    type: 'integer',
    min: 1,
    description: 'generate a demo file of this many rows (seeds its users first)',
  },
  reprocess: {
    type: 'boolean',
    description: 'process the file even if this version was already processed (bypasses the claim)',
  },
  'show-errors': { type: 'boolean', description: 'print every error of the full report, not the first 20' },
  'no-audit-success': {
    type: 'boolean',
    description: 'audit failed rows only (audit_successful_rows = false)',
  },
} as const;

export const csvProcessorPipeline = definePipeline({
  name: 'csv-processor',
  summary: 'CSV upload → validator → distributed map → PostgreSQL, audited in DynamoDB (--file F | --rows N)',
  options,
  notes: [
    'examples:',
    '  npm run local -- csv-processor --file users.csv',
    '  npm run local -- csv-processor --rows 1000 --json',
    `A run's full error report is copied to ${LOCAL_RUNS_DIR}/<execution>/.`,
  ],
  functions: ['csv-validator', 'csv-processor', 'csv-migrate'],
  environment: functionEnv(localNames()),
  demo: {
    args: ['--rows', '1000'],
    note: 'PARTIAL by design: every 40th user is not seeded (2.5 % USER_NOT_FOUND, 5 % tolerated)',
  },
  check(values) {
    if (!values.file && values.rows === undefined)
      throw new UsageError('csv-processor needs --file <path.csv> or --rows <n>');
    if (values.file && values.rows !== undefined) throw new UsageError('give --file or --rows, not both');
  },
  async prepare(ctx, values) {
    const names = localNames();
    await prepareCsvProcessor(names, process.env);
    return { env: functionEnv(names, { auditSuccess: !values?.['no-audit-success'] }), names };
  },
  async prepareEvents() {
    // functions/csv-*/events/*.json name these files and users (U99999 is unknown on purpose).
    const names = localNames();
    const s3 = createS3Client();
    const put = (key: string, body: Buffer) =>
      s3.send(
        new PutObjectCommand({ Bucket: names.inputBucket, Key: key, Body: body, ContentType: 'text/csv' }),
      );
    await put(
      `${INCOMING_PREFIX}user-log-20250802.csv`,
      csvFile([
        [userId(1), 12, 3],
        [userId(2), 0, 0],
        ['U99999', 5, 1],
      ]),
    );
    await put(
      `${INCOMING_PREFIX}user-log-20250802-rejected.csv`,
      csvFile([
        [userId(1), 'twelve', 3],
        ['', 1, 1],
        [userId(1), 4, 0],
      ]),
    );
    await seedUsers(process.env.DATABASE_URL!, 2);
  },
  async execute(values, ctx: RunContext, prepared) {
    const { names } = prepared;
    let body: Buffer;
    let fileName: string;
    if (values.file) {
      body = await readFile(values.file);
      fileName = basename(values.file);
    } else {
      const rows = values.rows!;
      ctx.log(`csv-processor: seeding ${rows} users (every 40th left out) and generating ${rows} rows`);
      await seedUsers(process.env.DATABASE_URL!, rows, demoUnknownUser);
      body = demoFile(rows);
      // Unique, so a second demo on a kept `up` stack is a new file, not a DUPLICATE.
      fileName = `demo-${jstStamp()}-${rows}-${randomBytes(2).toString('hex')}.csv`;
    }
    const s3 = createS3Client();
    const uploaded = await uploadInput(s3, names, fileName, body);
    // An operator re-runs a processed version by starting an execution with "reprocess": true.
    const event = values.reprocess ? { ...uploaded, reprocess: true } : uploaded;
    const dist = ctx.fromDist ? await distLambdas(names, { ...ctx.env, ...prepared.env }) : undefined;
    const report = await executeStateMachine({
      names,
      event,
      lambdas: dist?.lambdas ?? (await localLambdas(names)),
      s3,
    }).finally(() => dist?.close());
    const full = await saveFullReport(s3, names, report);
    const json: Record<string, unknown> = {
      status: report.status,
      executionName: report.executionName,
      rows: report.rows,
      errors: report.errors,
      outputKeys: report.outputKeys,
      ...(report.raw.duplicateOf ? { duplicateOf: report.raw.duplicateOf } : {}),
      ...(full ? { fullReport: { s3: full.s3, path: full.path } } : {}),
    };
    return { text: formatText(report, full, values['show-errors']), json };
  },
});

export const seedUsersPipeline = definePipeline({
  name: 'seed-users',
  summary: 'insert demo users U00001… into the csv-processor database (--count N)',
  options: {
    count: { type: 'integer', min: 1, default: 1000, description: 'how many users' },
  },
  functions: [],
  async prepare() {
    await migrate(process.env.DATABASE_URL);
    return { env: {} };
  },
  async execute(values) {
    const count = values.count;
    const inserted = await seedUsers(process.env.DATABASE_URL!, count);
    return {
      text: `seed-users: ${inserted} new user(s) (U00001…${userId(count)}; ${count - inserted} already present)`,
      json: { inserted, requested: count, firstUserId: userId(1), lastUserId: userId(count) },
    };
  },
});
