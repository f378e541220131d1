import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { runsLedgerTable } from '../../scripts/local/pipelines/runs-ledger';
import { ensureTable } from '../../scripts/local/pipelines/resources';
import { uniqueName } from '../../scripts/testing/stack';
import { parseRunEvent } from '../runs-recorder/parse';
import { clientSettings } from './aws';
import type { RunEndOutcome } from './runs-ledger';

/**
 * For the tests of the functions that record their own end (withDirectRunEnd): a fresh
 * ledger table on the embedded DynamoDB, and what the recorder would have written for the
 * same invocation had a destination reported it.
 */
export async function newRunsLedgerTable(): Promise<string> {
  const name = uniqueName('pipeline-runs');
  await ensureTable(new DynamoDBClient(clientSettings('DYNAMODB')), { ...runsLedgerTable('test'), name });
  return name;
}

/**
 * The end the recorder derives from the destination record of invocation `requestId` of
 * function `<resource>-local`: `response` as its responsePayload (JSON, as Lambda sends it),
 * a success or (with `failed`) an unhandled error such as thrownErrorPayload gives.
 */
export function recorderEnd(
  resource: string,
  requestId: string,
  request: unknown,
  response: unknown,
  failed = false,
): RunEndOutcome {
  const fact = parseRunEvent(
    {
      version: '1.0',
      timestamp: new Date().toISOString(),
      requestContext: {
        requestId,
        functionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${resource}-local:$LATEST`,
        condition: failed ? 'RetriesExhausted' : 'Success',
        approximateInvokeCount: 1,
      },
      requestPayload: request,
      responseContext: {
        statusCode: 200,
        executedVersion: '$LATEST',
        ...(failed ? { functionError: 'Unhandled' } : {}),
      },
      responsePayload: JSON.parse(JSON.stringify(response ?? null)) as unknown,
    },
    'local',
  );
  if (fact.kind !== 'end') throw new Error('a destination record is always an end');
  const { status, counts, error, links } = fact.run;
  return { status, counts, error, s3Keys: links.s3Keys };
}
