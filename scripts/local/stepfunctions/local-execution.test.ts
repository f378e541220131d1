import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../functions/shared/s3';
import { createBucket, uniqueName } from '../../testing/stack';
import { renderTemplate, runLocalExecution, type LocalLambda } from './local-execution';

/** The adapter for what aws-local-stepfunctions lacks, driven by the ASL fields only. */
const s3 = createS3Client();
let bucket: string;
beforeAll(async () => {
  bucket = await createBucket(uniqueName('sfn-adapter'));
  const csv = ['id,value', ...Array.from({ length: 10 }, (_, i) => `r${i},${i}`)].join('\n');
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'in/items.csv', Body: csv }));
});

const FN = 'arn:aws:lambda:ap-northeast-1:000000000000:function:worker';

function definition(extra: Record<string, unknown> = {}) {
  return {
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Map',
        ItemReader: {
          Resource: 'arn:aws:states:::s3:getObject',
          ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
          Parameters: { 'Bucket.$': '$.bucket', Key: 'in/items.csv' },
        },
        ItemSelector: { 'index.$': '$$.Map.Item.Index', 'id.$': '$$.Map.Item.Value.id' },
        ItemBatcher: { MaxItemsPerBatch: 4, BatchInput: { 'tag.$': '$.tag' } },
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' },
          StartAt: 'Call',
          States: {
            Call: {
              Type: 'Task',
              Resource: 'arn:aws:states:::lambda:invoke',
              Parameters: { FunctionName: FN, 'Payload.$': '$' },
              ResultSelector: { 'out.$': '$.Payload' },
              OutputPath: '$.out',
              Retry: [{ ErrorEquals: ['Flaky'], MaxAttempts: 2 }],
              End: true,
            },
          },
        },
        ResultWriter: {
          Resource: 'arn:aws:states:::s3:putObject',
          Parameters: { 'Bucket.$': '$.bucket', 'Prefix.$': "States.Format('out/{}', $.tag)" },
        },
        ResultPath: '$.map',
        Catch: [
          {
            ErrorEquals: ['States.ExceedToleratedFailureThreshold'],
            ResultPath: '$.failure',
            Next: 'Failed',
          },
        ],
        End: true,
        ...extra,
      },
      Failed: { Type: 'Pass', End: true },
    },
  };
}

async function read(key: string) {
  const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await out.Body!.transformToString());
}

function execute(def: object, worker: LocalLambda) {
  return runLocalExecution(
    {
      definition: def as never,
      lambdas: { [FN]: worker },
      s3,
      stateMachineArn: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:demo',
      executionName: uniqueName('run'),
      retryIntervalMs: 1,
    },
    { bucket, tag: 't1' },
  );
}

it('batches CSV items, runs children with retries, and writes ResultWriter output', async () => {
  const seen: unknown[] = [];
  let flaky = true;
  const result = await execute(definition(), async (payload) => {
    const batch = payload as { BatchInput: { tag: string }; Items: Array<{ index: number; id: string }> };
    if (flaky && batch.Items[0]!.index === 4) {
      flaky = false;
      throw Object.assign(new Error('try again'), { name: 'Flaky' });
    }
    seen.push(batch);
    return { count: batch.Items.length };
  });
  expect(result.status).toBe('SUCCEEDED');
  expect(seen).toHaveLength(3);
  expect(seen[0]).toEqual({
    BatchInput: { tag: 't1' },
    Items: [0, 1, 2, 3].map((i) => ({ index: i, id: `r${i}` })),
  });
  const details = (result as { output: { map: { ResultWriterDetails: { Key: string } } } }).output.map
    .ResultWriterDetails;
  expect(details.Key).toMatch(/^out\/t1\/[0-9a-f-]{36}\/manifest\.json$/);
  const manifest = await read(details.Key);
  expect(manifest.ResultFiles.FAILED).toEqual([]);
  const succeeded = await read(manifest.ResultFiles.SUCCEEDED[0].Key);
  expect(succeeded.map((e: { Output: string }) => JSON.parse(e.Output).count)).toEqual([4, 4, 2]);
});

it('fails the map past ToleratedFailurePercentage and still writes the failures', async () => {
  const failing = async (payload: unknown) => {
    if ((payload as { Items: Array<{ index: number }> }).Items[0]!.index === 0) throw new Error('boom');
    return {};
  };
  const within = await execute(definition({ ToleratedFailurePercentage: 40 }), failing);
  expect(within.status).toBe('SUCCEEDED');
  expect((within as { output: { failure?: unknown } }).output.failure).toBeUndefined();

  const beyond = await execute(definition({ ToleratedFailurePercentage: 30 }), failing);
  expect(beyond.status).toBe('SUCCEEDED');
  const output = (beyond as { output: { failure: { Error: string } } }).output;
  expect(output.failure.Error).toBe('States.ExceedToleratedFailureThreshold');
});

it('surfaces a Lambda error with its name and a Lambda-style JSON cause', async () => {
  const def = {
    StartAt: 'Call',
    States: {
      Call: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: FN, 'Payload.$': '$' },
        Catch: [{ ErrorEquals: ['InputValidationError'], ResultPath: '$.error', Next: 'Caught' }],
        End: true,
      },
      Caught: { Type: 'Pass', End: true },
    },
  };
  const result = await execute(def, async () => {
    throw Object.assign(new Error('bad input'), { name: 'InputValidationError' });
  });
  expect(result.status).toBe('SUCCEEDED');
  const error = (result as { output: { error: { Error: string; Cause: string } } }).output.error;
  expect(error.Error).toBe('InputValidationError');
  expect(JSON.parse(error.Cause)).toEqual({ errorType: 'InputValidationError', errorMessage: 'bad input' });
});

it('renders templatefile placeholders and refuses unknown ones', () => {
  expect(renderTemplate('{"a": ${n}, "b": "${s}", "c": "$.x"}', { n: 5, s: 'v' })).toBe(
    '{"a": 5, "b": "v", "c": "$.x"}',
  );
  expect(() => renderTemplate('${missing}', {})).toThrow('No value for template variable "missing"');
});

it('overrides Wait states, so a polling loop that waits an hour in AWS finishes at once', async () => {
  // Poll → Wait 3600 s → Poll … until the worker says done; three polls in all.
  const def = {
    StartAt: 'Poll',
    States: {
      Poll: {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke',
        Parameters: { FunctionName: FN, 'Payload.$': '$' },
        ResultSelector: { 'done.$': '$.Payload.done' },
        ResultPath: '$.poll',
        Next: 'Done?',
      },
      'Done?': {
        Type: 'Choice',
        Choices: [{ Variable: '$.poll.done', BooleanEquals: true, Next: 'Finished' }],
        Default: 'WaitAnHour',
      },
      WaitAnHour: { Type: 'Wait', Seconds: 3600, Next: 'Poll' },
      Finished: { Type: 'Pass', End: true },
    },
  };
  let polls = 0;
  const started = Date.now();
  const result = await runLocalExecution(
    {
      definition: def as never,
      lambdas: { [FN]: async () => ({ done: ++polls === 3 }) },
      s3,
      stateMachineArn: 'arn:aws:states:ap-northeast-1:000000000000:stateMachine:poller',
      executionName: uniqueName('poll'),
      waitTimeMs: 1,
    },
    {},
  );
  expect(result.status).toBe('SUCCEEDED');
  expect(polls).toBe(3);
  expect(Date.now() - started).toBeLessThan(60_000);
});
