import { readdirSync, readFileSync } from 'node:fs';
import aslValidator from 'asl-validator';
import { assetPath } from '../shared/assets';
import { localFunctionArn, renderAslFile } from '../../scripts/local/stepfunctions/asl';

/** The one ASL file Terraform's templatefile and the local runner both render. */
const FILE = 'salesforce-extract/asl/salesforce-extract.asl.json';
const template = readFileSync(assetPath(FILE), 'utf8');
const render = () =>
  renderAslFile(FILE, {
    function_arn: localFunctionArn('salesforce-extract', 'test'),
    max_concurrency: 2,
    poll_seconds: 15,
    max_polls: 240,
  });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASL is open-ended JSON
type State = Record<string, any>;

describe('salesforce-extract ASL', () => {
  it('uses exactly the placeholders the Terraform module passes to templatefile', () => {
    const placeholders = new Set([...template.matchAll(/\$\{([a-z_]+)\}/g)].map((m) => m[1]));
    const moduleDir = `${__dirname}/../../infrastructure/terraform/modules/salesforce-extract`;
    const terraform = readdirSync(moduleDir)
      .filter((file) => file.endsWith('.tf'))
      .map((file) => readFileSync(`${moduleDir}/${file}`, 'utf8'))
      .join('\n');
    const passed =
      /templatefile\([^,]+salesforce-extract\.asl\.json",\s*\{([\s\S]*?)\}\)/.exec(terraform)?.[1] ?? '';
    const names = new Set([...passed.matchAll(/^\s*([a-z_]+)\s*=/gm)].map((m) => m[1]));
    expect([...placeholders].sort()).toEqual([...names].sort());
  });

  it('is valid JSON before rendering and a valid state machine after', async () => {
    expect(() => JSON.parse(template)).not.toThrow();
    const { isValid, errors } = aslValidator(await render());
    expect(errors).toEqual([]);
    expect(isValid).toBe(true);
  });

  it('sends every failure of an object through Abort, and retries CreateJob only when Lambda never ran it', async () => {
    const definition = await render();
    const map = definition.States.ExtractObjects as State;
    expect(map.MaxConcurrencyPath).toBe('$.settings.maxConcurrency');
    expect(definition.States.Settings.Parameters.settings['maxConcurrency.$']).toBe(
      "States.StringToJson('2')",
    );
    const states = map.ItemProcessor.States as Record<string, State>;
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([
      'Abort',
      'Commit',
      'CreateJob',
      'Download',
      'Plan',
      'PollJob',
      'RestExtract',
    ]);
    for (const [name, state] of tasks) {
      if (name === 'Abort') continue;
      expect([name, state.Catch]).toEqual([
        name,
        [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Abort' }],
      ]);
      for (const retry of state.Retry as State[]) {
        expect(retry.ErrorEquals).not.toContain('States.ALL');
        expect(retry.MaxAttempts).toBeLessThanOrEqual(3);
      }
    }
    expect(states.CreateJob!.Retry).toEqual([
      expect.objectContaining({ ErrorEquals: ['Lambda.TooManyRequestsException'] }),
    ]);
    expect(states.JobStuck!.Next).toBe('Abort');
    expect(states.JobState!.Choices[1]).toEqual({
      Variable: '$.job.polls',
      NumericGreaterThanEqualsPath: '$.settings.maxPolls',
      Next: 'JobStuck',
    });
    expect(states.WaitForJob!.SecondsPath).toBe('$.settings.pollSeconds');
  });

  it('fails the execution with ObjectsFailed when any object failed', async () => {
    const definition = await render();
    expect(definition.States.AnyFailed.Choices).toEqual([
      { Variable: '$.status', StringEquals: 'SUCCEEDED', Next: 'Extracted' },
    ]);
    expect(definition.States.ObjectsFailed).toMatchObject({
      Type: 'Fail',
      Error: 'ObjectsFailed',
      CausePath: '$.cause',
    });
  });
});
