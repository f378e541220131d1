import {
  buildFieldList,
  buildSoql,
  FieldConfigError,
  incrementalWindow,
  schemaChange,
  schemaHash,
  whereClause,
  type DescribeLike,
} from './select';

/** An Account describe as Salesforce shapes it: compound address/location parents and their components. */
const describeResult: DescribeLike = {
  name: 'Account',
  queryable: true,
  fields: [
    { name: 'Id', type: 'id', compoundFieldName: null },
    { name: 'Name', type: 'string', compoundFieldName: null },
    { name: 'OwnerId', type: 'reference', compoundFieldName: null, relationshipName: 'Owner' },
    { name: 'BillingStreet', type: 'textarea', compoundFieldName: 'BillingAddress' },
    { name: 'BillingCity', type: 'string', compoundFieldName: 'BillingAddress' },
    { name: 'BillingLatitude', type: 'double', compoundFieldName: 'BillingAddress' },
    { name: 'BillingAddress', type: 'address', compoundFieldName: null },
    { name: 'Site__Latitude__s', type: 'double', compoundFieldName: 'Site__c' },
    { name: 'Site__Longitude__s', type: 'double', compoundFieldName: 'Site__c' },
    { name: 'Site__c', type: 'location', compoundFieldName: null },
    { name: 'Logo__c', type: 'base64', compoundFieldName: null },
    { name: 'OldField__c', type: 'string', compoundFieldName: null, deprecatedAndHidden: true },
    { name: 'IsActive__c', type: 'boolean', compoundFieldName: null },
    { name: 'CreatedDate', type: 'datetime', compoundFieldName: null },
    { name: 'SystemModstamp', type: 'datetime', compoundFieldName: null },
  ],
};

describe('SELECT building', () => {
  it('"*" keeps queryable fields, replaces compound parents by their components, drops base64', () => {
    const list = buildFieldList(describeResult, { name: 'Account', fields: '*', incremental: true });
    expect(list.fields).toEqual([
      'Id',
      'Name',
      'OwnerId',
      'BillingStreet',
      'BillingCity',
      'BillingLatitude',
      'Site__Latitude__s',
      'Site__Longitude__s',
      'IsActive__c',
      'CreatedDate',
      'SystemModstamp',
    ]);
    expect(list.kinds).toEqual([
      'string',
      'string',
      'string',
      'string',
      'string',
      'number',
      'number',
      'number',
      'boolean',
      'datetime',
      'datetime',
    ]);
  });

  it('validates an explicit list: describe casing, compound parents expanded, parent fields kept', () => {
    const list = buildFieldList(describeResult, {
      name: 'Account',
      fields: ['id', 'BillingAddress', 'Owner.Name', 'name'],
      incremental: true,
    });
    expect(list.fields).toEqual([
      'Id',
      'BillingStreet',
      'BillingCity',
      'BillingLatitude',
      'Owner.Name',
      'Name',
    ]);
    expect(list.kinds[4]).toBe('unknown');
  });

  it('names every field it cannot select', () => {
    expect(() =>
      buildFieldList(describeResult, {
        name: 'Account',
        fields: ['Id', 'Missing__c', 'Logo__c', 'Nobody.Name'],
        incremental: true,
      }),
    ).toThrow(
      new FieldConfigError(
        'Account: cannot select Missing__c (not in describe, or not visible to the integration user), Logo__c (type base64 cannot be extracted), Nobody.Name (no relationship Nobody)',
      ),
    );
  });

  it('refuses an object that cannot be queried, or incremental without SystemModstamp', () => {
    expect(() =>
      buildFieldList(
        { ...describeResult, queryable: false },
        { name: 'Account', fields: '*', incremental: false },
      ),
    ).toThrow(/cannot be queried/);
    const noModstamp = {
      ...describeResult,
      fields: describeResult.fields.filter((f) => f.name !== 'SystemModstamp'),
    };
    expect(() => buildFieldList(noModstamp, { name: 'Account', fields: '*', incremental: true })).toThrow(
      /has no SystemModstamp/,
    );
  });

  it('hashes the sorted field list, so order does not matter but membership does', () => {
    expect(schemaHash(['B', 'A'])).toBe(schemaHash(['A', 'B']));
    expect(schemaHash(['A', 'B'])).not.toBe(schemaHash(['A', 'B', 'C']));
    expect(schemaHash(['A'])).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports a schema change with both hashes and the fields added and removed', () => {
    const before = ['Id', 'Name', 'Old__c'];
    const now = ['Id', 'Name', 'New__c'];
    expect(schemaChange({ schemaHash: schemaHash(before), fields: before }, now)).toEqual({
      previousHash: schemaHash(before),
      hash: schemaHash(now),
      added: ['New__c'],
      removed: ['Old__c'],
    });
    expect(schemaChange({ schemaHash: schemaHash(now), fields: now }, [...now].reverse())).toBeUndefined();
    expect(schemaChange(undefined, now)).toBeUndefined();
  });
});

describe('incremental window', () => {
  const runStartedAt = new Date('2026-12-01T00:00:30.750Z');

  it('is [watermark − lookback, runStart − 60 s) in whole seconds', () => {
    const window = incrementalWindow({
      incremental: true,
      full: false,
      watermark: '2026-11-30T00:00:00.000Z',
      runStartedAt,
      lookbackSeconds: 300,
    });
    expect(window).toEqual({
      from: new Date('2026-11-29T23:55:00.000Z'),
      to: new Date('2026-11-30T23:59:30.000Z'),
    });
    expect(whereClause({ where: "Type = 'X'" }, window)).toBe(
      "(Type = 'X') AND SystemModstamp >= 2026-11-29T23:55:00Z AND SystemModstamp < 2026-11-30T23:59:30Z",
    );
  });

  it('starts from the beginning without a watermark or on a full run', () => {
    const expected = { from: null, to: new Date('2026-11-30T23:59:30.000Z') };
    expect(
      incrementalWindow({
        incremental: true,
        full: false,
        watermark: null,
        runStartedAt,
        lookbackSeconds: 300,
      }),
    ).toEqual(expected);
    expect(
      incrementalWindow({
        incremental: true,
        full: true,
        watermark: '2026-11-30T00:00:00.000Z',
        runStartedAt,
        lookbackSeconds: 300,
      }),
    ).toEqual(expected);
  });

  it('has no bounds for a non-incremental object', () => {
    const window = incrementalWindow({
      incremental: false,
      full: false,
      watermark: null,
      runStartedAt,
      lookbackSeconds: 300,
    });
    expect(window).toEqual({ from: null, to: null });
    expect(whereClause({}, window)).toBeUndefined();
    expect(buildSoql('Account', ['Id', 'Name'], undefined)).toBe('SELECT Id, Name FROM Account');
  });
});
