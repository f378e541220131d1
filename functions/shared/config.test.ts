import * as z from 'zod/mini';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  TABLE_NAME: env.string(),
  BATCH_SIZE: env.int(500, { min: 1, max: 1000 }),
  AUDIT_SUCCESS: env.bool(true),
  CHANNEL_IDS: env.list(),
});

describe('loadConfig', () => {
  it('parses and coerces environment values', () => {
    expect(
      loadConfig(schema, {
        TABLE_NAME: 'logs',
        BATCH_SIZE: '250',
        AUDIT_SUCCESS: 'false',
        CHANNEL_IDS: 'a, b,,c',
      }),
    ).toEqual({ TABLE_NAME: 'logs', BATCH_SIZE: 250, AUDIT_SUCCESS: false, CHANNEL_IDS: ['a', 'b', 'c'] });
  });

  it('applies defaults', () => {
    expect(loadConfig(schema, { TABLE_NAME: 'logs' })).toEqual({
      TABLE_NAME: 'logs',
      BATCH_SIZE: 500,
      AUDIT_SUCCESS: true,
      CHANNEL_IDS: [],
    });
  });

  it('names a missing variable', () => {
    expect(() => loadConfig(schema, {})).toThrow(ConfigError);
    expect(() => loadConfig(schema, {})).toThrow('TABLE_NAME is required but not set');
  });

  it('names an invalid variable', () => {
    expect(() => loadConfig(schema, { TABLE_NAME: 'x', BATCH_SIZE: 'many' })).toThrow(
      /BATCH_SIZE is invalid/,
    );
    expect(() => loadConfig(schema, { TABLE_NAME: 'x', BATCH_SIZE: '2.5' })).toThrow(/BATCH_SIZE is invalid/);
    expect(() => loadConfig(schema, { TABLE_NAME: 'x', BATCH_SIZE: '0' })).toThrow(/BATCH_SIZE is invalid/);
    expect(() => loadConfig(schema, { TABLE_NAME: 'x', BATCH_SIZE: '1001' })).toThrow(
      /BATCH_SIZE is invalid/,
    );
    expect(() => loadConfig(schema, { TABLE_NAME: 'x', AUDIT_SUCCESS: 'yes' })).toThrow(
      /AUDIT_SUCCESS is invalid/,
    );
    expect(() => loadConfig(schema, { TABLE_NAME: '' })).toThrow(/TABLE_NAME is invalid/);
  });
});
