import type { Readable } from 'node:stream';
import { LocatorMissingError, SalesforceApiError } from './errors';
import type { SalesforceClient } from './http';

export type { SalesforceSecret } from './secret';
export type { ApiUsage } from './http';

/**
 * A field of DescribeSObjectResult. `type` is the field type in lower case as REST returns
 * it ('string', 'datetime', 'address', 'location', 'base64', ...). Components of a compound
 * field name their parent in compoundFieldName. The describe Field has no "queryable"
 * property (the docs' "Query" field property is not returned): queryability is the object's
 * DescribeSObjectResult.queryable, a field the user cannot read is absent from the
 * describe, and deprecatedAndHidden fields cannot be selected.
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
  deprecatedAndHidden?: boolean;
  soapType?: string;
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

export async function describeObject(c: SalesforceClient, object: string): Promise<DescribeResult> {
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

/**
 * A JSON number whose text JavaScript cannot reproduce: Salesforce writes number fields
 * with up to 18 digits (beyond 2^53) and doubles in Java's form (`1234567.0`,
 * `1.2345678E7`; Knowledge Article 000221617), which a JavaScript number would round or
 * reformat. Kept as the server wrote it so REST values match Bulk's CSV text.
 */
export class NumberText {
  constructor(readonly text: string) {}
  toJSON(): number {
    return Number(this.text);
  }
}

/**
 * Keeps the source text of every number JSON.parse would change (ES2025 JSON.parse source
 * text access, Node 21+; older runtimes pass no context and get plain numbers).
 */
export function exactNumbers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  return context.source === String(value) ? value : new NumberText(context.source);
}

function restQueryPath(soql: string, options: { all: boolean }): string {
  return `/${options.all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
}

/**
 * Salesforce refuses a REST request whose URI and headers exceed 16,384 bytes (414 URI Too
 * Long / 431; Knowledge Article 000386264 "Maximum number of rows returned by SOQL queries
 * over the REST API"). A `"*"` SELECT of a wide object gets there. 2 KB stay for the
 * headers (the bearer token is ~110 bytes).
 */
export const REST_URI_LIMIT_BYTES = 16_384;
const REST_HEADER_ALLOWANCE_BYTES = 2_048;

/** Whether this SOQL can go through the REST query resource (a GET with the SOQL in the URL). */
export function restQueryFits(
  c: Pick<SalesforceClient, 'apiVersion'>,
  soql: string,
  options: { all: boolean },
): boolean {
  const target = `/services/data/v${c.apiVersion}${restQueryPath(soql, options)}`;
  return Buffer.byteLength(target) <= REST_URI_LIMIT_BYTES - REST_HEADER_ALLOWANCE_BYTES;
}

export async function queryFirstPage(
  c: SalesforceClient,
  soql: string,
  options: { all: boolean },
): Promise<QueryPage> {
  return c.json<QueryPage>('GET', restQueryPath(soql, options), undefined, { reviver: exactNumbers });
}

/** Follows nextRecordsUrl verbatim (an absolute /services/data/... path). */
export async function queryNextPage(c: SalesforceClient, nextRecordsUrl: string): Promise<QueryPage> {
  if (!nextRecordsUrl.startsWith('/services/')) {
    throw new SalesforceApiError(`nextRecordsUrl "${nextRecordsUrl}" is not a /services/ path`, {
      status: 0,
    });
  }
  return c.json<QueryPage>('GET', nextRecordsUrl, undefined, { reviver: exactNumbers });
}

/**
 * /limits answers only API users with the View Setup and Configuration permission (REST API
 * Developer Guide, "Limits"); without it the 403 says nothing about the fix, so this does.
 */
export async function getLimits(c: SalesforceClient): Promise<Limits> {
  try {
    return await c.json<Limits>('GET', '/limits');
  } catch (error) {
    if (error instanceof SalesforceApiError && error.details.status === 403) {
      throw new SalesforceApiError(
        `${error.message} (reading /limits needs the "View Setup and Configuration" permission: grant it to the integration user through its profile or a permission set)`,
        error.details,
      );
    }
    throw error;
  }
}

/** Not retried: a retry after a lost response could start a second job (and spend a second job of the daily allowance). */
export async function createQueryJob(
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

export async function getQueryJob(c: SalesforceClient, jobId: string): Promise<QueryJobInfo> {
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
  const countHeader = response.headers.get('sforce-numberofrecords');
  const count = Number(countHeader);
  if (!countHeader || !/^\d+$/.test(countHeader.trim()) || !Number.isSafeInteger(count)) {
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

/**
 * Only UploadComplete and InProgress jobs can be aborted; Salesforce refuses the rest with a
 * job-state error, which is not worth failing a clean-up on.
 */
export async function abortQueryJob(c: SalesforceClient, jobId: string): Promise<void> {
  try {
    await c.json('PATCH', `/jobs/query/${idPart(jobId)}`, { state: 'Aborted' });
  } catch (error) {
    if (error instanceof SalesforceApiError && /STATE/i.test(error.details.errorCode ?? '')) return;
    throw error;
  }
}
