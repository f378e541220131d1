import type { Readable } from 'node:stream';
import { LocatorMissingError, SalesforceApiError } from './errors';
import type { SalesforceClient } from './http';

export type { SalesforceSecret } from './secret';
export type { ApiUsage } from './http';

/**
 * A field of DescribeSObjectResult. `type` is the SOAP field type in lower case as REST
 * returns it ('string', 'datetime', 'address', 'location', 'base64', ...). Components of
 * a compound field name their parent in compoundFieldName. The describe result has no
 * per-field "queryable" flag (queryability is an object property, DescribeSObjectResult
 * .queryable); a field the user cannot read is simply absent from the describe.
 */
export interface DescribeField {
  name: string;
  type: string;
  compoundFieldName: string | null;
  /** For reference fields: the relationship name (Owner for OwnerId). */
  relationshipName?: string | null;
  referenceTo?: string[];
  nillable?: boolean;
  calculated?: boolean;
  length?: number;
  precision?: number;
  scale?: number;
  [property: string]: unknown;
}

export interface DescribeResult {
  name: string;
  queryable: boolean;
  fields: DescribeField[];
  [property: string]: unknown;
}

export interface SalesforceRecord {
  attributes?: { type: string; url?: string };
  [field: string]: unknown;
}

export interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: SalesforceRecord[];
}

export type Limits = Record<string, { Max: number; Remaining: number }>;

export type QueryJobState = 'Open' | 'UploadComplete' | 'InProgress' | 'Aborted' | 'JobComplete' | 'Failed';

export interface QueryJobInfo {
  id: string;
  state: QueryJobState | string;
  numberRecordsProcessed?: number;
  errorMessage?: string;
  object?: string;
  operation?: 'query' | 'queryAll' | string;
  [property: string]: unknown;
}

export interface ResultsPage {
  body: Readable;
  /** The locator of the next page; null when this was the last page. */
  locator: string | null;
  /** Sforce-NumberOfRecords: the records in this page. */
  numberOfRecords: number;
}

/** Object and field API names: letters, digits and underscores (custom `__c`, namespaced `ns__X__c`). */
function apiName(name: string, what: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) {
    throw new SalesforceApiError(`${what} "${name}" is not a Salesforce API name`, { status: 0 });
  }
  return name;
}

function idPart(id: string): string {
  if (!/^[A-Za-z0-9]{15,18}$/.test(id)) {
    throw new SalesforceApiError(`"${id}" is not a Salesforce job id`, { status: 0 });
  }
  return id;
}

export function describeObject(c: SalesforceClient, object: string): Promise<DescribeResult> {
  return c.json<DescribeResult>('GET', `/sobjects/${apiName(object, 'Object')}/describe`);
}

export async function countRecords(
  c: SalesforceClient,
  object: string,
  where: string | undefined,
  options: { all: boolean },
): Promise<number> {
  const soql = `SELECT COUNT() FROM ${apiName(object, 'Object')}${where?.trim() ? ` WHERE ${where.trim()}` : ''}`;
  const page = await queryFirstPage(c, soql, options);
  return page.totalSize;
}

export function queryFirstPage(
  c: SalesforceClient,
  soql: string,
  options: { all: boolean },
): Promise<QueryPage> {
  const resource = options.all ? 'queryAll' : 'query';
  return c.json<QueryPage>('GET', `/${resource}?q=${encodeURIComponent(soql)}`);
}

/** Follows nextRecordsUrl verbatim (an absolute /services/data/... path). */
export function queryNextPage(c: SalesforceClient, nextRecordsUrl: string): Promise<QueryPage> {
  if (!nextRecordsUrl.startsWith('/services/')) {
    throw new SalesforceApiError(`nextRecordsUrl "${nextRecordsUrl}" is not a /services/ path`, {
      status: 0,
    });
  }
  return c.json<QueryPage>('GET', nextRecordsUrl);
}

export function getLimits(c: SalesforceClient): Promise<Limits> {
  return c.json<Limits>('GET', '/limits');
}

/** Not retried: a retry after a lost response could start a second job (and spend a second job of the daily allowance). */
export function createQueryJob(
  c: SalesforceClient,
  soql: string,
  options: { all: boolean },
): Promise<QueryJobInfo> {
  return c.json<QueryJobInfo>(
    'POST',
    '/jobs/query',
    {
      operation: options.all ? 'queryAll' : 'query',
      query: soql,
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    },
    { retry: false },
  );
}

export function getQueryJob(c: SalesforceClient, jobId: string): Promise<QueryJobInfo> {
  return c.json<QueryJobInfo>('GET', `/jobs/query/${idPart(jobId)}`);
}

/**
 * One results page. A missing Sforce-Locator header is an error (the end is unknown), the
 * literal "null" marks the last page. The body is gunzipped and errors with
 * TruncatedBodyError when cut short; the caller re-requests the same locator then.
 */
export async function getQueryResultsPage(
  c: SalesforceClient,
  jobId: string,
  options: { locator?: string; maxRecords: number },
): Promise<ResultsPage> {
  const query = new URLSearchParams({ maxRecords: String(options.maxRecords) });
  if (options.locator) query.set('locator', options.locator);
  const response = await c.stream(`/jobs/query/${idPart(jobId)}/results?${query.toString()}`, {
    accept: 'text/csv',
  });
  const locator = response.headers.get('sforce-locator');
  if (locator === null || locator === '') {
    response.body.destroy();
    throw new LocatorMissingError(jobId);
  }
  const count = Number(response.headers.get('sforce-numberofrecords'));
  if (!Number.isInteger(count) || count < 0) {
    response.body.destroy();
    throw new SalesforceApiError(
      `Bulk query job ${jobId}: results page has no valid Sforce-NumberOfRecords header`,
      {
        status: response.status,
      },
    );
  }
  return { body: response.body, locator: locator === 'null' ? null : locator, numberOfRecords: count };
}

/** Aborting a job that already finished is refused by Salesforce; that is not an error worth failing on. */
export async function abortQueryJob(c: SalesforceClient, jobId: string): Promise<void> {
  try {
    await c.json('PATCH', `/jobs/query/${idPart(jobId)}`, { state: 'Aborted' });
  } catch (error) {
    if (error instanceof SalesforceApiError && error.details.errorCode === 'INVALIDJOBSTATE') return;
    throw error;
  }
}
