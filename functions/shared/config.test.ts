import { z } from 'zod';
import { ConfigError, env, loadConfig } from './config';

const schema = z.object({
  TABLE_NAME: z.string().min(1),
  BATCH_SIZE: env.int(500),
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
  });
});
