import { generateKeyPairSync, randomBytes, createPublicKey, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { compactVerify, decodeJwt, decodeProtectedHeader } from 'jose';
import { parseCommand, runCli, type CommandSpec } from '../../lib/args';
import { attachmentBody, indexOfId, isDeletedIndex, modstamp, type FieldValue } from './records';
import { describeObject, isCompound, OBJECTS, type ObjectDef } from './schema';
import { ApiError, checkBulkQuery, parseSoql, type ParsedQuery } from './soql';
import { OrgData, RowAccess, valueAt } from './store';
import { bulkValue, restDatetime, restRecord } from './wire';
import { closeServer } from '../../lib/close-server';

/**
 * A fake Salesforce org on node:http that speaks the real protocol, for the
 * salesforce-extract client, its tests, the local runner and the benchmark:
 *
 * - `POST /services/oauth2/token`: the OAuth 2.0 JWT bearer flow. The RS256
 *   signature is verified with jose against the connected app's public key; iss
 *   (consumer key), sub (username), aud (the login URL, never this server's URL) and
 *   exp (seconds, not past, at most 3 minutes ahead) are checked, and failures answer
 *   HTTP 400 with Salesforce's `{error, error_description}` pairs.
 * - `/services/data/vNN.N/...` with `Authorization: Bearer <token>`: limits, describe,
 *   query / queryAll with nextRecordsUrl paging, and Bulk API 2.0 query jobs with
 *   results pages by locator (CSV, gzip on request). Every data response carries
 *   `Sforce-Limit-Info: api-usage=<used>/<max>` from one shared daily budget.
 *
 * Records are generated lazily and deterministically (see records.ts), so a million
 * records stream in bounded memory. Faults can be switched on at start or later
 * through `fake.faults`.
 */
export interface FakeSalesforceFaults {
  /** Each access token stops working after this many data calls (401 INVALID_SESSION_ID). */
  sessionExpiresAfterCalls: number;
  /** After `after` data calls, the next `count` calls answer `status` (default 503). */
  serverErrorBurst: { after: number; count: number; status?: number };
  /** Every data call answers 403 REQUEST_LIMIT_EXCEEDED. */
  limitExhausted: boolean;
  /** Bulk jobs end Failed with this errorMessage. */
  jobFails: string;
  /** Bulk jobs never leave InProgress. */
  jobStuck: boolean;
  /** The next Bulk results page closes the connection half way through its body (once). */
  truncateBodyOnce: boolean;
  /** Bulk results pages come without the Sforce-Locator header. */
  missingLocatorHeader: boolean;
  /** The token endpoint answers `audience is invalid` whatever the aud claim says. */
  rejectAudience: boolean;
  /** The token endpoint answers `user hasn't approved this consumer`. */
  unapprovedUser: boolean;
}

export interface FakeSalesforceOptions {
  /** Default { Account: {records: 250}, Contact: {records: 600}, Attachment: {records: 40} }. */
  objects?: Record<string, { records: number }>;
  /** REST page sizes, cycling page by page (default [2000, 1000, 500]). */
  restPageSize?: number | number[];
  /** Status polls that still answer UploadComplete / InProgress before JobComplete (default 2). */
  bulkStateDelays?: number;
  /** Daily API request allocation and how much of it is already used. */
  apiMax?: number;
  apiUsedAtStart?: number;
  faults?: Partial<FakeSalesforceFaults>;
  /** The org's clock: recent SystemModstamps sit minutes before `now()` at start; exp is checked against it. */
  now?: () => Date;
  /** The connected app's key pair (PEM). Default: a fresh 2048-bit pair. */
  keyPair?: { privateKey: string; publicKey?: string; certificate?: string };
  /** PEM form of `secret.privateKey` when the pair is generated here (default pkcs8). */
  privateKeyFormat?: 'pkcs8' | 'pkcs1';
  /** Login URL the JWT audience must name (default https://login.salesforce.com). */
  loginUrl?: string;
  consumerKey?: string;
  username?: string;
  port?: number;
}

export interface FakeSalesforceSecret {
  consumerKey: string;
  privateKey: string;
  username: string;
  loginUrl: string;
  tokenUrl: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  status: number;
}

export interface ExpectedWindow {
  /** Inclusive lower bound on SystemModstamp. */
  from?: Date;
  /** Exclusive upper bound on SystemModstamp. */
  to?: Date;
  includeDeleted?: boolean;
}

export interface FakeSalesforce {
  /** Base URL: login, token and instance are all served here. */
  url: string;
  secret: FakeSalesforceSecret;
  faults: Partial<FakeSalesforceFaults>;
  calls: RecordedCall[];
  /** The org's own truth: full records (compound and base64 fields left out), parents as `Owner.Name`. */
  expectedRecords(object: string, window?: ExpectedWindow): Array<Record<string, unknown>>;
  /** How many records `expectedRecords` would return, without building them. */
  expectedCount(object: string, window?: ExpectedWindow): number;
  /** Daily API requests used so far (the `used` of Sforce-Limit-Info). */
  apiUsed(): number;
  stop(): Promise<void>;
}

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce: exp within 3 minutes; a little leeway for the client's clock. */
const MAX_EXP_AHEAD_S = 180;
const CLOCK_SKEW_S = 10;
/** 15-character org id (access tokens start with it) and the integration user's 18-character id. */
const ORG_ID = '00D5g00000FAKEO';
const USER_ID = '0055g00000FAKEUAAA';
const DEFAULT_OBJECTS: Record<string, { records: number }> = {
  Account: { records: 250 },
  Contact: { records: 600 },
  Attachment: { records: 40 },
};

class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

interface Session {
  calls: number;
}

interface Cursor {
  query: ParsedQuery;
  all: boolean;
  apiVersion: string;
  total: number;
  /** Known resume points: records emitted → next scan index. */
  positions: Map<number, number>;
  page: number;
  batchSize?: number;
}

interface QueryJob {
  id: string;
  operation: 'query' | 'queryAll';
  query: ParsedQuery;
  apiVersion: string;
  createdDate: number;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  polls: number;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: string;
  numberRecordsProcessed: number;
  errorMessage?: string;
  positions: Map<number, number>;
}

const DELIMITERS: Record<string, string> = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
};

/**
 * A JSON response, gzip-compressed when the request accepts gzip (Salesforce compresses
 * REST responses on request; fetch undoes it transparently).
 */
function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = Buffer.from(JSON.stringify(body));
  const gzip = /\bgzip\b/.test(String(res.req?.headers['accept-encoding'] ?? ''));
  const payload = gzip ? gzipSync(text) : text;
  res.writeHead(status, {
    'Content-Type': 'application/json;charset=UTF-8',
    'Content-Length': payload.length,
    ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
    ...headers,
  });
  res.end(payload);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Salesforce-style 15+3 ids for jobs and cursors (prefixes 750 and 01g). */
function serverId(prefix: string, n: number): string {
  // 3 + 2 + 10 = 15 characters: the sequence is never cut off (two jobs must not share an id).
  return `${prefix}5g${String(n).padStart(10, '0')}AAA`;
}

function parseJsonBody(text: string): unknown {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
  } catch {
    // reported below, like any body that is not a JSON object
  }
  throw new ApiError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object');
}

function parsePositiveInt(text: string | null): number | undefined {
  if (text === null) return undefined;
  return /^\d+$/.test(text) && Number(text) > 0 ? Number(text) : Number.NaN;
}

export class FakeSalesforceServer implements FakeSalesforce {
  url = '';
  secret!: FakeSalesforceSecret;
  faults: Partial<FakeSalesforceFaults>;
  readonly calls: RecordedCall[] = [];
  readonly data: OrgData;
  private server?: Server;
  private publicKey!: KeyObject;
  private readonly privateKeyPem: string;
  private readonly sessions = new Map<string, Session>();
  private readonly cursors = new Map<string, Cursor>();
  private readonly jobs = new Map<string, QueryJob>();
  private used: number;
  private readonly apiMax: number;
  private bulkJobsCreated = 0;
  private dataCalls = 0;
  private burst: { knob?: FakeSalesforceFaults['serverErrorBurst']; start: number; served: number } = {
    start: 0,
    served: 0,
  };
  private sequence = 0;
  private readonly now: () => Date;
  private readonly pageSizes: number[];

  constructor(private readonly options: FakeSalesforceOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.faults = { ...options.faults };
    this.apiMax = options.apiMax ?? 15_000;
    this.used = options.apiUsedAtStart ?? 0;
    const sizes = options.restPageSize ?? [2000, 1000, 500];
    this.pageSizes = Array.isArray(sizes) ? sizes : [sizes];
    if (this.pageSizes.length === 0 || this.pageSizes.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error('restPageSize must be positive integers');
    const objects = options.objects ?? DEFAULT_OBJECTS;
    for (const name of Object.keys(objects)) {
      if (!OBJECTS[name]) {
        throw new Error(
          `The fake Salesforce org has no object ${name} (known: ${Object.keys(OBJECTS).join(', ')})`,
        );
      }
    }
    const counts: Record<string, number> = {};
    for (const name of Object.keys(OBJECTS)) counts[name] = objects[name]?.records ?? 0;
    this.data = new OrgData({ counts, anchorMs: this.now().getTime() });
    if (options.keyPair) {
      this.privateKeyPem = options.keyPair.privateKey;
      this.publicKey = createPublicKey(
        options.keyPair.certificate ?? options.keyPair.publicKey ?? options.keyPair.privateKey,
      );
    } else {
      const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.publicKey = pair.publicKey;
      this.privateKeyPem = pair.privateKey
        .export({ type: options.privateKeyFormat ?? 'pkcs8', format: 'pem' })
        .toString();
    }
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        // A bug in the fake is a 500 with its message, never a hung request.
        if (!res.headersSent)
          sendJson(res, 500, [{ message: String(error), errorCode: 'UNKNOWN_EXCEPTION' }]);
        else res.destroy();
      });
    });
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    this.secret = {
      consumerKey: this.options.consumerKey ?? '3MVG9FAKE.consumer.key.for.local.tests',
      privateKey: this.privateKeyPem,
      username: this.options.username ?? 'integration@fake-org.example.com',
      loginUrl: this.options.loginUrl ?? 'https://login.salesforce.com',
      tokenUrl: this.url,
    };
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await closeServer(server);
  }

  apiUsed(): number {
    return this.used;
  }

  expectedCount(object: string, window: ExpectedWindow = {}): number {
    let n = 0;
    for (const _ of this.expectedIndexes(object, window)) n++;
    return n;
  }

  expectedRecords(object: string, window: ExpectedWindow = {}): Array<Record<string, unknown>> {
    const def = this.objectDef(object);
    const parents = def.fields
      .filter((f) => f.type === 'reference' && f.relationshipName)
      .map((f) => ({
        idField: f.name,
        path: parseSoql(`SELECT ${f.relationshipName}.Name FROM ${def.name}`).fields[0]!,
      }));
    const out: Array<Record<string, unknown>> = [];
    for (const index of this.expectedIndexes(object, window)) {
      const row = new RowAccess(this.data, def, index);
      const record: Record<string, unknown> = {};
      for (const field of def.fields) {
        if (isCompound(field) || field.type === 'base64') continue;
        record[field.name] = truthValue(field.type, row.field(field.name));
        const parent = parents.find((p) => p.idField === field.name);
        if (parent) record[parent.path.name] = valueAt(row, parent.path);
      }
      out.push(record);
    }
    return out;
  }

  private *expectedIndexes(object: string, window: ExpectedWindow): Generator<number> {
    const def = this.objectDef(object);
    const total = this.data.count(def.name);
    const from = window.from?.getTime() ?? -Infinity;
    const to = window.to?.getTime() ?? Infinity;
    for (let index = 0; index < total; index++) {
      if (!window.includeDeleted && isDeletedIndex(index)) continue;
      const stamp = modstamp(def.name, index, this.data.ctx);
      if (stamp >= from && stamp < to) yield index;
    }
  }

  private objectDef(object: string): ObjectDef {
    const def = OBJECTS[object];
    if (!def) throw new Error(`The fake Salesforce org has no object ${object}`);
    return def;
  }

  private limitHeader(): Record<string, string> {
    return { 'Sforce-Limit-Info': `api-usage=${this.used}/${this.apiMax}` };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const call: RecordedCall = {
      method: req.method ?? 'GET',
      path: `${url.pathname}${url.search}`,
      status: 0,
    };
    this.calls.push(call);
    res.on('finish', () => (call.status ||= res.statusCode));
    res.on('close', () => (call.status ||= res.writableFinished ? res.statusCode : -1));

    if (url.pathname === '/services/oauth2/token') {
      await this.token(req, res);
      return;
    }
    if (url.pathname === '/services/data' || url.pathname === '/services/data/') {
      // The versions resource needs no session and is not counted against the daily limit.
      sendJson(
        res,
        200,
        ['58.0', '59.0', '60.0', '61.0', '62.0', '63.0', '64.0'].map((version) => ({
          label: `v${version}`,
          url: `/services/data/v${version}`,
          version,
        })),
      );
      return;
    }
    const match = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(url.pathname);
    if (!match) {
      sendJson(res, 404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      return;
    }
    const apiVersion = match[1]!;
    const rest = match[2] ?? '/';

    const auth = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const session = auth ? this.sessions.get(auth[1]!) : undefined;
    const limit = this.faults.sessionExpiresAfterCalls;
    if (session && limit !== undefined && session.calls >= limit) this.sessions.delete(auth![1]!);
    if (!session || !this.sessions.has(auth![1]!)) {
      sendJson(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      return;
    }
    session.calls++;
    this.dataCalls++;

    const burst = this.faults.serverErrorBurst;
    // A burst counts its `after` calls from when it was switched on (at start or later).
    if (burst !== this.burst.knob) this.burst = { knob: burst, start: this.dataCalls - 1, served: 0 };
    if (burst && this.dataCalls - this.burst.start > burst.after && this.burst.served < burst.count) {
      this.burst.served++;
      const status = burst.status ?? 503;
      sendJson(
        res,
        status,
        [
          {
            message: 'Server is temporarily unavailable. Please try again later.',
            errorCode: 'SERVER_UNAVAILABLE',
          },
        ],
        this.limitHeader(),
      );
      return;
    }
    if (this.faults.limitExhausted || this.used >= this.apiMax) {
      sendJson(
        res,
        403,
        [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
        this.limitHeader(),
      );
      return;
    }
    this.used++;

    try {
      await this.route(req, res, url, apiVersion, rest);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      sendJson(res, error.status, error.body, this.limitHeader());
    }
  }

  private async route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    apiVersion: string,
    path: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const notFound = () => new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const methodNotAllowed = () =>
      new ApiError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method}' not allowed. Allowed are GET`);
    let m: RegExpExecArray | null;

    if (path === '/limits' || path === '/limits/') {
      if (method !== 'GET') throw methodNotAllowed();
      sendJson(res, 200, this.limits(), this.limitHeader());
      return;
    }
    if ((m = /^\/sobjects\/(\w+)\/describe\/?$/.exec(path))) {
      if (method !== 'GET') throw methodNotAllowed();
      const object = Object.values(OBJECTS).find((o) => o.name.toLowerCase() === m![1]!.toLowerCase());
      if (!object) throw notFound();
      sendJson(res, 200, describeObject(object, apiVersion), this.limitHeader());
      return;
    }
    if ((m = /^\/sobjects\/Attachment\/(\w{15,18})\/Body$/.exec(path))) {
      if (method !== 'GET') throw methodNotAllowed();
      const index = indexOfId(OBJECTS.Attachment!.keyPrefix, m[1]!);
      if (index === undefined || index >= this.data.count('Attachment')) throw notFound();
      const body = Buffer.from(attachmentBody(index, 16 + (index % 48)), 'base64');
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...this.limitHeader() });
      res.end(body);
      return;
    }
    if ((m = /^\/(query|queryAll)\/?$/.exec(path))) {
      if (method !== 'GET') throw methodNotAllowed();
      this.restQuery(req, res, url, apiVersion, m[1] === 'queryAll');
      return;
    }
    if ((m = /^\/(?:query|queryAll)\/(01g\w+)-(\d+)$/.exec(path))) {
      if (method !== 'GET') throw methodNotAllowed();
      this.restMore(res, m[1]!, Number(m[2]));
      return;
    }
    if (path === '/jobs/query' || path === '/jobs/query/') {
      if (method === 'POST') {
        await this.createJob(req, res, apiVersion);
        return;
      }
      if (method === 'GET') {
        sendJson(
          res,
          200,
          {
            done: true,
            records: [...this.jobs.values()].map((j) => this.jobInfo(j, true)),
            nextRecordsUrl: null,
          },
          this.limitHeader(),
        );
        return;
      }
      throw methodNotAllowed();
    }
    if ((m = /^\/jobs\/query\/(750\w+)\/results\/?$/.exec(path))) {
      if (method !== 'GET') throw methodNotAllowed();
      await this.results(req, res, url, this.job(m[1]!, apiVersion));
      return;
    }
    if ((m = /^\/jobs\/query\/(750\w+)\/?$/.exec(path))) {
      const job = this.job(m[1]!, apiVersion);
      if (method === 'GET') {
        this.advance(job);
        sendJson(res, 200, this.jobInfo(job, true), this.limitHeader());
        return;
      }
      if (method === 'PATCH') {
        const body = parseJsonBody(await readBody(req)) as { state?: unknown };
        if (body.state !== 'Aborted') {
          throw new ApiError(
            400,
            'INVALIDJOBSTATE',
            `Invalid state: ${String(body.state)}. Only Aborted is allowed for a query job.`,
          );
        }
        if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') {
          throw new ApiError(400, 'INVALIDJOBSTATE', `Job state is already ${job.state}`);
        }
        job.state = 'Aborted';
        sendJson(res, 200, this.jobInfo(job, false), this.limitHeader());
        return;
      }
      if (method === 'DELETE') {
        this.jobs.delete(job.id);
        res.writeHead(204, this.limitHeader());
        res.end();
        return;
      }
      throw methodNotAllowed();
    }
    throw notFound();
  }

  private limits(): Record<string, { Max: number; Remaining: number }> {
    return {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      DailyApiRequests: { Max: this.apiMax, Remaining: Math.max(0, this.apiMax - this.used) },
      DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
      DailyBulkApiBatches: { Max: 15_000, Remaining: 15_000 },
      DailyBulkV2QueryFileStorageMB: { Max: 976_562, Remaining: 976_562 },
      DailyBulkV2QueryJobs: { Max: 10_000, Remaining: 10_000 - this.bulkJobsCreated },
      DataStorageMB: { Max: 5, Remaining: 5 },
      FileStorageMB: { Max: 20, Remaining: 20 },
      HourlyODataCallout: { Max: 20_000, Remaining: 20_000 },
      SingleEmail: { Max: 15, Remaining: 15 },
    };
  }

  // ---- OAuth 2.0 JWT bearer flow -------------------------------------------------

  private async token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') {
      sendJson(res, 400, { error: 'invalid_request', error_description: 'must use HTTP POST' });
      return;
    }
    const form = new URLSearchParams(await readBody(req));
    const noStore = { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' };
    try {
      await this.verifyAssertion(form.get('grant_type'), form.get('assertion'));
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      sendJson(res, 400, { error: error.error, error_description: error.description }, noStore);
      return;
    }
    const accessToken = `${ORG_ID}!AQ${randomBytes(48).toString('base64url')}`;
    this.sessions.set(accessToken, { calls: 0 });
    sendJson(
      res,
      200,
      {
        access_token: accessToken,
        scope: 'api',
        instance_url: this.url,
        id: `${this.secret.loginUrl}/id/${ORG_ID}AAA/${USER_ID}`,
        token_type: 'Bearer',
      },
      noStore,
    );
  }

  /**
   * The checks Salesforce makes, in an order that names the first thing a
   * misconfigured client gets wrong: grant type, a parseable RS256 JWT, the consumer
   * key (iss, which selects the connected app and so its certificate), the signature,
   * the audience, the expiry, then the user and its pre-authorization.
   */
  private async verifyAssertion(grantType: string | null, assertion: string | null): Promise<void> {
    if (grantType !== JWT_GRANT) throw new OAuthError('unsupported_grant_type', 'grant type not supported');
    if (!assertion) throw new OAuthError('invalid_grant', 'invalid assertion');
    let claims: ReturnType<typeof decodeJwt>;
    try {
      if (decodeProtectedHeader(assertion).alg !== 'RS256') throw new Error('not RS256');
      claims = decodeJwt(assertion);
    } catch {
      throw new OAuthError('invalid_grant', 'invalid assertion');
    }
    if (claims.iss !== this.secret.consumerKey)
      throw new OAuthError('invalid_client_id', 'client identifier invalid');
    try {
      await compactVerify(assertion, this.publicKey, { algorithms: ['RS256'] });
    } catch {
      throw new OAuthError('invalid_grant', 'invalid assertion');
    }
    if (this.faults.rejectAudience || !audienceMatches(claims.aud, this.secret.loginUrl)) {
      throw new OAuthError('invalid_grant', 'audience is invalid');
    }
    const nowS = Math.floor(this.now().getTime() / 1000);
    // The help page's own example sends exp as a string of digits, so that form counts too.
    const exp =
      typeof claims.exp === 'number'
        ? claims.exp
        : /^\d+$/.test(String(claims.exp))
          ? Number(claims.exp)
          : NaN;
    // exp is seconds since the epoch; in the past, or further ahead than the 3 minutes
    // Salesforce allows (milliseconds by mistake), it answers "expired authorization code".
    if (!Number.isFinite(exp) || exp < nowS - CLOCK_SKEW_S || exp > nowS + MAX_EXP_AHEAD_S + CLOCK_SKEW_S) {
      throw new OAuthError('invalid_grant', 'expired authorization code');
    }
    // prn is the older name of the subject claim; when both are present prn wins (help page).
    const subject = (claims as { prn?: unknown }).prn ?? claims.sub;
    if (subject !== this.secret.username || this.faults.unapprovedUser) {
      throw new OAuthError('invalid_grant', "user hasn't approved this consumer");
    }
  }

  // ---- REST query / queryAll ------------------------------------------------------

  private pageSize(page: number): number {
    return this.pageSizes[page % this.pageSizes.length]!;
  }

  private restQuery(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    apiVersion: string,
    all: boolean,
  ): void {
    const q = url.searchParams.get('q');
    if (q === null) throw new ApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const query = parseSoql(q);
    const total = this.data.matching(query, all);
    if (query.count) {
      sendJson(res, 200, { totalSize: total, done: true, records: [] }, this.limitHeader());
      return;
    }
    const cursorId = serverId('01g', ++this.sequence);
    // Sforce-Query-Options: batchSize=N (200–2000) caps the page size; Salesforce may still send fewer.
    const batch = /batchSize=(\d+)/.exec(String(req.headers['sforce-query-options'] ?? ''));
    const batchSize = batch ? Math.min(2000, Math.max(200, Number(batch[1]))) : undefined;
    const cursor: Cursor = {
      query,
      all,
      apiVersion,
      total,
      positions: new Map([[0, 0]]),
      page: 0,
      batchSize,
    };
    this.cursors.set(cursorId, cursor);
    this.restPage(res, cursorId, cursor, 0);
  }

  private restMore(res: ServerResponse, cursorId: string, offset: number): void {
    const cursor = this.cursors.get(cursorId);
    if (!cursor || !cursor.positions.has(offset)) {
      throw new ApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    this.restPage(res, cursorId, cursor, offset);
  }

  private restPage(res: ServerResponse, cursorId: string, cursor: Cursor, offset: number): void {
    const size = Math.min(this.pageSize(cursor.page++), cursor.batchSize ?? Infinity, cursor.total - offset);
    const records: Array<Record<string, unknown>> = [];
    let scan = cursor.positions.get(offset)!;
    for (const { index, row } of this.data.scan(cursor.query, cursor.all, scan)) {
      if (records.length === size) break;
      records.push(restRecord(row, cursor.query.fields, cursor.apiVersion));
      scan = index + 1;
    }
    const next = offset + records.length;
    const done = next >= cursor.total;
    if (!done) cursor.positions.set(next, scan);
    sendJson(
      res,
      200,
      {
        totalSize: cursor.total,
        done,
        ...(done ? {} : { nextRecordsUrl: `/services/data/v${cursor.apiVersion}/query/${cursorId}-${next}` }),
        records,
      },
      this.limitHeader(),
    );
  }

  // ---- Bulk API 2.0 query jobs ------------------------------------------------------

  private job(id: string, apiVersion: string): QueryJob {
    const job = this.jobs.get(id);
    if (!job) throw new ApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    if (job.apiVersion !== apiVersion) {
      throw new ApiError(
        409,
        'INVALIDJOB',
        `Job ${id} was created in API version ${job.apiVersion}; use the same version`,
      );
    }
    return job;
  }

  private async createJob(req: IncomingMessage, res: ServerResponse, apiVersion: string): Promise<void> {
    const body = parseJsonBody(await readBody(req)) as Record<string, unknown>;
    const operation = body.operation;
    if (operation !== 'query' && operation !== 'queryAll') {
      throw new ApiError(400, 'INVALIDJOB', `InvalidJob : Invalid operation: ${String(operation)}`);
    }
    if (typeof body.query !== 'string')
      throw new ApiError(400, 'INVALIDJOB', 'InvalidJob : The query is required');
    if (body.contentType !== undefined && body.contentType !== 'CSV') {
      throw new ApiError(400, 'INVALIDJOB', `InvalidJob : Invalid contentType: ${String(body.contentType)}`);
    }
    const lineEnding = (body.lineEnding ?? 'LF') as string;
    const columnDelimiter = (body.columnDelimiter ?? 'COMMA') as string;
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF') {
      throw new ApiError(400, 'INVALIDJOB', `InvalidJob : Invalid lineEnding: ${lineEnding}`);
    }
    if (!(columnDelimiter in DELIMITERS)) {
      throw new ApiError(400, 'INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${columnDelimiter}`);
    }
    const query = parseSoql(body.query);
    checkBulkQuery(query);
    this.bulkJobsCreated++;
    const job: QueryJob = {
      id: serverId('750', ++this.sequence),
      operation,
      query,
      apiVersion,
      createdDate: this.now().getTime(),
      state: 'UploadComplete',
      polls: 0,
      lineEnding,
      columnDelimiter,
      numberRecordsProcessed: 0,
      positions: new Map([[0, 0]]),
    };
    this.jobs.set(job.id, job);
    sendJson(res, 200, this.jobInfo(job, false), this.limitHeader());
  }

  /** One status poll: the state moves on by the poll count, unless stuck. */
  private advance(job: QueryJob): void {
    if (job.state !== 'UploadComplete' && job.state !== 'InProgress') return;
    job.polls++;
    if (this.faults.jobStuck) {
      job.state = 'InProgress';
      return;
    }
    if (job.polls <= (this.options.bulkStateDelays ?? 2)) {
      job.state = 'InProgress';
      return;
    }
    if (this.faults.jobFails !== undefined) {
      job.state = 'Failed';
      job.errorMessage = this.faults.jobFails;
      return;
    }
    job.numberRecordsProcessed = this.data.matching(job.query, job.operation === 'queryAll');
    job.state = 'JobComplete';
  }

  private jobInfo(job: QueryJob, full: boolean): Record<string, unknown> {
    const info: Record<string, unknown> = {
      id: job.id,
      operation: job.operation,
      object: job.query.object.name,
      createdById: USER_ID,
      createdDate: restDatetime(job.createdDate),
      systemModstamp: restDatetime(job.createdDate + job.polls * 1000),
      state: job.state,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
    };
    if (!full) return info;
    return {
      ...info,
      jobType: 'V2Query',
      numberRecordsProcessed: job.numberRecordsProcessed,
      retries: 0,
      totalProcessingTime: job.state === 'JobComplete' ? 250 + job.polls * 100 : 0,
      isPkChunkingSupported: true,
      ...(job.errorMessage !== undefined ? { errorMessage: job.errorMessage } : {}),
    };
  }

  private async results(req: IncomingMessage, res: ServerResponse, url: URL, job: QueryJob): Promise<void> {
    if (job.state !== 'JobComplete') {
      // The documented refusal (Bulk API 2.0 guide, Get Results for a Query Job).
      const status = job.state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
      throw new ApiError(
        412,
        'JOB_NOT_COMPLETE',
        `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${status}`,
      );
    }
    const maxRecords = parsePositiveInt(url.searchParams.get('maxRecords'));
    if (Number.isNaN(maxRecords)) {
      throw new ApiError(400, 'INVALIDREQUEST', `Invalid maxRecords: ${url.searchParams.get('maxRecords')}`);
    }
    const locator = url.searchParams.get('locator');
    let offset = 0;
    if (locator !== null && locator !== '') {
      const decoded = Buffer.from(locator, 'base64').toString('utf8');
      offset = /^\d+$/.test(decoded) ? Number(decoded) : Number.NaN;
      if (!Number.isInteger(offset) || offset <= 0 || offset >= job.numberRecordsProcessed) {
        throw new ApiError(400, 'INVALIDLOCATOR', `Invalid locator: ${locator}`);
      }
    }
    // Without maxRecords Salesforce sizes pages by bytes; the fake uses a fixed count.
    const pageRecords = Math.min(maxRecords ?? 100_000, job.numberRecordsProcessed - offset);
    const next = offset + pageRecords;
    const nextLocator =
      next < job.numberRecordsProcessed ? Buffer.from(String(next)).toString('base64') : 'null';
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const headers: Record<string, string> = {
      'Content-Type': 'text/csv; charset=UTF-8',
      'Sforce-NumberOfRecords': String(pageRecords),
      ...this.limitHeader(),
    };
    if (!this.faults.missingLocatorHeader) headers['Sforce-Locator'] = nextLocator;
    if (gzip) headers['Content-Encoding'] = 'gzip';
    res.writeHead(200, headers);

    const truncate = this.faults.truncateBodyOnce === true;
    if (truncate) this.faults.truncateBodyOnce = false;
    const sink: Writable = gzip ? createGzip() : res;
    if (gzip) (sink as ReturnType<typeof createGzip>).pipe(res);
    let closed = false;
    res.once('close', () => {
      closed = true;
      if (sink !== res) sink.destroy();
    });

    const delimiter = DELIMITERS[job.columnDelimiter]!;
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    // Bulk API 2.0 quotes every value (quotes doubled); a null is an empty quoted value.
    const line = (values: string[]) =>
      values.map((v) => `"${v.replaceAll('"', '""')}"`).join(delimiter) + eol;
    const fields = job.query.fields;
    let chunk = pageRecords > 0 ? line(fields.map((f) => f.name)) : '';
    let written = 0;
    // Back-pressure: wait for the client to drain what was written (or to go away).
    const write = async (text: string) => {
      if (sink.write(text) || closed) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          sink.off('drain', done);
          res.off('close', done);
          resolve();
        };
        sink.on('drain', done);
        res.on('close', done);
      });
    };
    const start = this.seek(job, offset);
    let scan = start;
    const all = job.operation === 'queryAll';
    for (const { index, row } of this.data.scan(job.query, all, start)) {
      if (written === pageRecords || closed) break;
      chunk += line(fields.map((f) => bulkValue(f.field, valueAt(row, f))));
      written++;
      scan = index + 1;
      if (truncate && written === Math.ceil(pageRecords / 2)) {
        await write(chunk);
        if (gzip)
          await new Promise<void>((resolve) =>
            (sink as ReturnType<typeof createGzip>).flush(() => resolve()),
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
        res.socket?.destroy();
        return;
      }
      if (chunk.length >= 64 * 1024) {
        await write(chunk);
        chunk = '';
      }
    }
    if (closed) return;
    job.positions.set(next, scan);
    if (chunk) await write(chunk);
    sink.end();
  }

  /** Scan index where the `offset`-th matching record starts, from the nearest known position. */
  private seek(job: QueryJob, offset: number): number {
    const known = job.positions.get(offset);
    if (known !== undefined) return known;
    let best = 0;
    for (const k of job.positions.keys()) if (k <= offset && k > best) best = k;
    let skip = offset - best;
    let scan = job.positions.get(best)!;
    for (const { index } of this.data.scan(job.query, job.operation === 'queryAll', scan)) {
      if (skip === 0) return index;
      skip--;
      scan = index + 1;
    }
    return scan;
  }
}

/** The audience is the login URL itself, as one string (not this server's URL, not a list). */
function audienceMatches(aud: unknown, loginUrl: string): boolean {
  return typeof aud === 'string' && aud === loginUrl;
}

function truthValue(type: string, value: FieldValue): unknown {
  if (value === null) return null;
  if (type === 'datetime') return new Date(value as number).toISOString();
  return value;
}

export async function startFakeSalesforce(options: FakeSalesforceOptions = {}): Promise<FakeSalesforce> {
  return new FakeSalesforceServer(options).start();
}

/** Runs `run` against a fake started with `options`, and stops the fake whatever happens (tests). */
export async function withFakeSalesforce<T>(
  options: FakeSalesforceOptions,
  run: (fake: FakeSalesforce) => Promise<T>,
): Promise<T> {
  const fake = await startFakeSalesforce(options);
  try {
    return await run(fake);
  } finally {
    await fake.stop();
  }
}

// ---- CLI ------------------------------------------------------------------------------

export const command = {
  usage: 'tsx scripts/fakes/salesforce/server.ts [options]',
  summary: 'Run the fake Salesforce org (JWT token endpoint, REST query, Bulk API 2.0) for poking with curl.',
  options: {
    port: {
      type: 'integer',
      description: 'port to listen on (default: a free one)',
      value: 'N',
      min: 0,
      max: 65535,
    },
    records: {
      type: 'integer',
      description: 'records per object (Account, Contact; Attachment gets a tenth)',
      value: 'N',
      min: 0,
      default: 250,
    },
  },
  notes: [
    'Prints the base URL and writes a secret file shaped like the Secrets Manager secret',
    '(consumerKey, privateKey, username, loginUrl, tokenUrl); use it as SALESFORCE_SECRET_FILE.',
  ],
} satisfies CommandSpec;

async function main(argv: string[]): Promise<number> {
  const { values } = parseCommand(command, argv);
  const records = values.records;
  const fake = await startFakeSalesforce({
    port: values.port,
    objects: {
      Account: { records },
      Contact: { records },
      Attachment: { records: Math.ceil(records / 10) },
    },
  });
  const dir = mkdtempSync(join(tmpdir(), 'fake-salesforce-'));
  const secretFile = join(dir, 'secret.json');
  writeFileSync(secretFile, `${JSON.stringify(fake.secret, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(`fake Salesforce org: ${fake.url}\nsecret file: ${secretFile}\n`);
  process.stdout.write(
    `records: Account ${records}, Contact ${records}, Attachment ${Math.ceil(records / 10)}\n`,
  );
  process.stdout.write('Ctrl-C stops it.\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
  return 0;
}

// Run directly (tsx scripts/fakes/salesforce/server.ts), not when imported.
if (
  process.argv[1] &&
  basename(process.argv[1]) === 'server.ts' &&
  basename(dirname(process.argv[1])) === 'salesforce'
) {
  runCli(() => main(process.argv.slice(2)));
}
