import { ConfigError } from '../shared/config';
import { InvalidRunInputError, loadExtractConfig, selectObjects, type ObjectConfig } from './config';

const base = { RAW_BUCKET: 'raw', WATERMARK_TABLE: 'wm', SALESFORCE_SECRET_ID: 'sf' };

describe('salesforce-extract configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadExtractConfig(base);
    expect(config).toMatchObject({
      SALESFORCE_OBJECTS: [],
      SALESFORCE_API_VERSION: '63.0',
      REST_THRESHOLD: 2000,
      LOOKBACK_SECONDS: 300,
      API_FLOOR_PERCENT: 10,
      BULK_PAGE_RECORDS: 50_000,
      TIME_BUDGET_RESERVE_MS: 60_000,
      UPLOAD_PART_BYTES: 8 * 1024 * 1024,
    });
  });

  it('reads the object list with per-object defaults', () => {
    const config = loadExtractConfig({
      ...base,
      SALESFORCE_OBJECTS: JSON.stringify([
        { name: 'Account' },
        {
          name: 'Contact',
          fields: ['Id', 'Owner.Name'],
          where: "LastName != 'x'",
          mode: 'bulk',
          incremental: false,
          includeDeleted: true,
        },
      ]),
    });
    expect(config.SALESFORCE_OBJECTS).toEqual([
      { name: 'Account', fields: '*', mode: 'auto', incremental: true, includeDeleted: false },
      {
        name: 'Contact',
        fields: ['Id', 'Owner.Name'],
        where: "LastName != 'x'",
        mode: 'bulk',
        incremental: false,
        includeDeleted: true,
      },
    ]);
  });

  it.each([
    ['not JSON', '{', /SALESFORCE_OBJECTS is invalid: is not JSON/],
    ['a bad object name', '[{"name":"Account; DROP"}]', /0\.name: must be a Salesforce object API name/],
    ['a bad mode', '[{"name":"Account","mode":"fast"}]', /0\.mode/],
    ['an empty field list', '[{"name":"Account","fields":[]}]', /0\.fields/],
    ['a duplicate', '[{"name":"Account"},{"name":"account"}]', /account is listed twice/],
  ])('rejects %s in one line naming the variable', (_, value, message) => {
    expect(() => loadExtractConfig({ ...base, SALESFORCE_OBJECTS: value })).toThrow(message);
  });

  it('names a missing required variable', () => {
    expect(() => loadExtractConfig({ RAW_BUCKET: 'raw' })).toThrow(ConfigError);
    expect(() => loadExtractConfig({ RAW_BUCKET: 'raw' })).toThrow(/WATERMARK_TABLE is required/);
  });

  it('keeps parts at the S3 minimum of 5 MiB or more', () => {
    expect(() => loadExtractConfig({ ...base, UPLOAD_PART_BYTES: '1024' })).toThrow(
      /UPLOAD_PART_BYTES is invalid/,
    );
  });
});

describe('objects of a run', () => {
  const configured: ObjectConfig[] = [
    { name: 'Account', fields: ['Id', 'Name'], mode: 'rest', incremental: false, includeDeleted: true },
    { name: 'Contact', fields: '*', mode: 'auto', incremental: true, includeDeleted: false },
  ];

  it('extracts every configured object when the input names none', () => {
    expect(selectObjects(configured, {})).toEqual(configured);
  });

  it('keeps a named object’s configuration and gives others fields *, auto, incremental', () => {
    expect(selectObjects(configured, { objects: ['account', 'Opportunity', 'Account'] })).toEqual([
      configured[0],
      { name: 'Opportunity', fields: '*', mode: 'auto', incremental: true, includeDeleted: false },
    ]);
  });

  it('lets the input force a mode on every selected object', () => {
    expect(selectObjects(configured, { mode: 'bulk' }).map((o) => o.mode)).toEqual(['bulk', 'bulk']);
  });

  it('refuses names that are not API names, an empty list, and a run with nothing to do', () => {
    expect(() => selectObjects(configured, { objects: ["Account' OR Id != '"] })).toThrow(
      InvalidRunInputError,
    );
    expect(() => selectObjects(configured, { objects: [] })).toThrow(/lists no objects/);
    expect(() => selectObjects([], {})).toThrow(/SALESFORCE_OBJECTS lists no objects/);
  });
});
