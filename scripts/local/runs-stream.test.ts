import { freshLedger } from '../../functions/runs-api/testing';
import type { RunsLedger } from '../../functions/shared/runs-ledger';
import type { TopicMessage } from '../../functions/runs-stream-processor/publish';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './stepfunctions/asl';
import { deliverToRecorder, invocationRecord, statusChangeEvent } from './pipelines/runs-ledger';
import { stderrPublish, withLocalStream } from './runs-stream';

/**
 * The local stand-in for DynamoDB Streams: the recorder's writes to a ledger table in the
 * test stack's DynamoDB become stream records for the stream-processor handler, and its
 * notices arrive on stderr as they would on the topic.
 */
const saved = { RUNS_TABLE: process.env.RUNS_TABLE };
let table: string;
let ledger: RunsLedger;
let stderr: string;

beforeAll(async () => {
  ({ table, ledger } = await freshLedger());
  process.env.RUNS_TABLE = table;
});
afterAll(() => {
  if (saved.RUNS_TABLE === undefined) delete process.env.RUNS_TABLE;
  else process.env.RUNS_TABLE = saved.RUNS_TABLE;
});
beforeEach(() => {
  stderr = '';
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: unknown) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const stateMachineArn = `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:csv-user-log-processor-local`;
const execution = (name: string) => ({
  stateMachineArn,
  executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`,
  name,
  input: { detail: { bucket: { name: 'in' }, object: { key: 'uploads/a.csv' } } },
});
const subjects = () => [...stderr.matchAll(/^Subject: (.*)$/gm)].map((m) => m[1]);

it('a local state machine run that fails: one notice on stderr; its redelivered end: none', async () => {
  const startDate = Date.parse('2026-12-01T00:00:00.000Z');
  const run = execution('local-fail-1');
  await deliverToRecorder([statusChangeEvent({ ...run, status: 'RUNNING', startDate })]);
  expect(subjects()).toEqual([]);
  const failed = statusChangeEvent({
    ...run,
    status: 'FAILED',
    startDate,
    stopDate: startDate + 4_000,
    error: 'States.TaskFailed',
    cause: 'relation "user_logs" does not exist',
  });
  await deliverToRecorder([failed]);
  expect(subjects()).toEqual(['[local] csv-processor FAILED: States.TaskFailed']);
  expect(stderr).toContain('── runs notice (SNS topic, locally on stderr) ──');
  expect(stderr).toContain(
    'aws logs tail /aws/vendedlogs/states/csv-user-log-processor-local --since 2026-11-30T23:59:00Z',
  );
  expect(stderr).toContain('Started:  2026-12-01 09:00:00 JST');

  stderr = '';
  await deliverToRecorder([failed]);
  expect(subjects()).toEqual([]);
  expect((await ledger.getRun('csv-processor', 'local-fail-1'))?.status).toBe('FAILED');
});

it('an end that arrives before its start (INSERT of a terminal item) notifies; a later success is a recovery', async () => {
  const requestId = '7d0c6d1e-1111-4a2b-9c3d-000000000001';
  const failure = invocationRecord(
    'sync-batch',
    requestId,
    { source: 'aws.scheduler' },
    {
      ok: false,
      error: Object.assign(new Error('YouTube Data API quota exhausted'), { name: 'QuotaExceededError' }),
    },
  );
  await deliverToRecorder([failure]);
  expect(subjects()).toEqual(['[local] batch-scheduler FAILED: QuotaExceededError']);
  expect(stderr).toContain(`--filter-pattern '"${requestId}"'`);

  stderr = '';
  await new Promise((r) => setTimeout(r, 5));
  await deliverToRecorder([
    invocationRecord(
      'sync-batch',
      '7d0c6d1e-1111-4a2b-9c3d-000000000002',
      { source: 'aws.scheduler' },
      {
        ok: true,
        value: { channels: 3 },
      },
    ),
  ]);
  expect(subjects()).toEqual(['[local] batch-scheduler recovered: SUCCEEDED after FAILED']);
});

it('a write that changes nothing delivers no stream record; the write is still made when events do not parse', async () => {
  const published: TopicMessage[] = [];
  const publish = async (m: TopicMessage) => {
    published.push(m);
  };
  let writes = 0;
  await withLocalStream([{ not: 'a run event' }], async () => writes++, { table, publish });
  await withLocalStream(
    [statusChangeEvent({ ...execution('local-fail-1'), status: 'RUNNING', startDate: 0 })],
    async () => writes++,
    { table, publish },
  );
  expect(writes).toBe(2);
  expect(published).toEqual([]);
});

it('stderrPublish writes the subject and the message', async () => {
  let text = '';
  await stderrPublish((t) => (text += t))({ subject: 'S', message: 'line 1\nline 2' });
  expect(text).toBe('\n── runs notice (SNS topic, locally on stderr) ──\nSubject: S\n\nline 1\nline 2\n\n');
});
