import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { assetPath } from '../shared/assets';
import { renderDefinition, localNames } from '../../scripts/local/pipelines/csv-processor';

/** The one ASL file both Terraform (templatefile) and the local runner render. */
const template = readFileSync(assetPath('csv-processor/asl/csv-user-log-processor.asl.json'), 'utf8');

describe('csv-user-log-processor ASL', () => {
  it('uses exactly the placeholders the Terraform module passes to templatefile', () => {
    const placeholders = new Set([...template.matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]));
    // The module is split over several files: read them all.
    const moduleDir = `${__dirname}/../../infrastructure/terraform/modules/csv-processor`;
    const terraform = readdirSync(moduleDir)
      .filter((file) => file.endsWith('.tf'))
      .map((file) => readFileSync(`${moduleDir}/${file}`, 'utf8'))
      .join('\n');
    const passed = /templatefile\([^,]+,\s*\{([\s\S]*?)\}\)/.exec(terraform)?.[1] ?? '';
    const names = new Set([...passed.matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual([...names].sort());
  });

  it('renders to a valid state machine definition', async () => {
    const definition = await renderDefinition(localNames('test'));
    const { isValid, errors } = aslValidator(definition);
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('is valid JSON before rendering (numbers travel as strings through States.StringToJson)', () => {
    expect(() => JSON.parse(template)).not.toThrow();
  });

  it('keeps the contract: batches of 500, 5 concurrent children, 5 % tolerated, EXPRESS children', async () => {
    const definition = await renderDefinition(localNames('test'));
    expect(definition.States.CaptureExecution.Parameters.settings).toEqual({
      'batchSize.$': "States.StringToJson('500')",
      'maxConcurrency.$': "States.StringToJson('5')",
      'toleratedFailurePercentage.$': "States.StringToJson('5')",
    });
    const map = definition.States.ProcessRows;
    expect(map.ItemBatcher.MaxItemsPerBatchPath).toBe('$.settings.batchSize');
    expect(map.MaxConcurrencyPath).toBe('$.settings.maxConcurrency');
    expect(map.ToleratedFailurePercentagePath).toBe('$.settings.toleratedFailurePercentage');
    expect(map.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(map.ItemProcessor.States.ApplyBatch.Retry[0]).toMatchObject({
      ErrorEquals: ['DatabaseTransientError', 'TransientError'],
      MaxAttempts: 3,
      BackoffRate: 2,
    });
  });
});
