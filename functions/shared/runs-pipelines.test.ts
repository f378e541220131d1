import * as z from 'zod/mini';
import {
  consoleUrl,
  LEDGER_PIPELINES,
  logGroups,
  logsTailCommand,
  PIPELINES,
  pipelineOfFunction,
  pipelineOfManualSource,
  pipelineOfStateMachine,
  primaryLogGroup,
  triggerOf,
} from './runs-pipelines';

describe('the ledger pipelines table', () => {
  it('maps every deployed state machine and function to its ledger pipeline, per environment', () => {
    expect(pipelineOfStateMachine('csv-user-log-processor-prd', 'prd')?.name).toBe('csv-processor');
    expect(pipelineOfStateMachine('salesforce-extract-dev', 'dev')?.name).toBe('salesforce-extract');
    expect(pipelineOfFunction('sync-batch-prd', 'prd')?.name).toBe('batch-scheduler');
    expect(pipelineOfFunction('etl-extract-transform-dev', 'dev')?.name).toBe('etl');
    expect(pipelineOfFunction('etl-load-prd', 'prd')?.name).toBe('etl-load');
    // Another environment's resource, a task function, a state machine asked as a function: none.
    expect(pipelineOfFunction('sync-batch-dev', 'prd')).toBeUndefined();
    expect(pipelineOfFunction('csv-validator-prd', 'prd')).toBeUndefined();
    expect(pipelineOfFunction('salesforce-extract-prd', 'prd')).toBeUndefined();
    expect(pipelineOfStateMachine('csv-user-log-processor', 'prd')).toBeUndefined();
    expect(Object.keys(PIPELINES).sort()).toEqual([...LEDGER_PIPELINES].sort());
  });

  it('names the log groups AWS writes a run to, the primary one first', () => {
    expect(logGroups('csv-processor', 'prd')).toEqual([
      '/aws/vendedlogs/states/csv-user-log-processor-prd',
      '/aws/lambda/csv-validator-prd',
      '/aws/lambda/csv-processor-prd',
    ]);
    expect(logGroups('batch-scheduler', 'dev')).toEqual(['/aws/lambda/sync-batch-dev']);
    expect(primaryLogGroup('etl-load', 'prd')).toBe('/aws/lambda/etl-load-prd');
    expect(logsTailCommand('/aws/lambda/sync-batch-prd')).toBe(
      'aws logs tail /aws/lambda/sync-batch-prd --follow',
    );
  });

  it('links a run to its console page: the execution, or the log group filtered to the request', () => {
    const executionArn = 'arn:aws:states:ap-northeast-1:123456789012:execution:salesforce-extract-prd:sf-1';
    expect(consoleUrl('salesforce-extract', { executionArn }, 'ap-northeast-1')).toBe(
      `https://ap-northeast-1.console.aws.amazon.com/states/home?region=ap-northeast-1#/v2/executions/details/${executionArn}`,
    );
    expect(
      consoleUrl(
        'etl',
        { logGroup: '/aws/lambda/etl-extract-transform-prd', requestId: 'abc-1' },
        'ap-northeast-1',
      ),
    ).toBe(
      'https://ap-northeast-1.console.aws.amazon.com/cloudwatch/home?region=ap-northeast-1#logsV2:log-groups/log-group/' +
        '$252Faws$252Flambda$252Fetl-extract-transform-prd/log-events$3FfilterPattern$3D$2522abc-1$2522',
    );
    expect(consoleUrl('csv-processor', { logGroup: '/x' }, 'ap-northeast-1')).toBeUndefined();
  });

  it('tells schedule, manual and event triggers apart from what the run received', () => {
    expect(triggerOf({ 'detail-type': 'Scheduled Event', source: 'aws.events' })).toBe('schedule');
    expect(triggerOf({ source: 'schedule' })).toBe('schedule');
    expect(triggerOf({ trigger: 'schedule' })).toBe('schedule');
    expect(triggerOf({ source: 'aws.scheduler' })).toBe('schedule');
    expect(triggerOf({ 'detail-type': 'manual-trigger', source: 'etl', detail: {} })).toBe('manual');
    expect(triggerOf({ environment: 'prd', objects: ['Account'] })).toBe('manual');
    expect(triggerOf({ source: 'make' })).toBe('manual');
    expect(triggerOf(undefined)).toBe('manual');
    expect(triggerOf({ 'detail-type': 'Object Created', source: 'aws.s3', reprocess: true })).toBe('manual');
    expect(triggerOf({ 'detail-type': 'Object Created', source: 'aws.s3' })).toBe('event');
  });

  it('knows each manual-trigger Source and validates its Detail, naming the field', () => {
    expect(pipelineOfManualSource('batch-scheduler')?.name).toBe('batch-scheduler');
    expect(pipelineOfManualSource('csv-processor')).toBeUndefined();
    expect(PIPELINES['etl-load'].manualSource).toBeUndefined();
    const check = (pipeline: keyof typeof PIPELINES, detail: unknown) => {
      const result = z.safeParse(PIPELINES[pipeline].manualDetail!, detail);
      return result.success ? 'ok' : result.error.issues.map((i) => i.path.join('.')).join(',');
    };
    expect(check('etl', {})).toBe('ok');
    expect(check('etl', { date: '2026-11-30' })).toBe('ok');
    expect(check('etl', { from: '2026-11-01', to: '2026-11-30' })).toBe('ok');
    expect(check('etl', { date: '2026-02-30' })).toBe('date');
    expect(check('etl', { from: '2026-11-01' })).toBe('to');
    expect(check('etl', { from: '2026-10-01', to: '2026-11-30' })).toBe('to');
    expect(check('etl', { day: '2026-11-30' })).toBe('');
    expect(check('batch-scheduler', { channelIds: ['UCPALUvmU1IOSfogrBPiZM2m'] })).toBe('ok');
    expect(check('batch-scheduler', { channelIds: ['not-a-channel'] })).toBe('channelIds.0');
    expect(check('batch-scheduler', { channelIds: [] })).toBe('channelIds');
    expect(check('salesforce-extract', { objects: ['Account', 'My_Object__c'], full: true })).toBe('ok');
    expect(check('salesforce-extract', { objects: ['Account; DROP'] })).toBe('objects.0');
    expect(check('salesforce-extract', { mode: 'soap' })).toBe('mode');
  });
});
