import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { clientSettings } from '../shared/aws';

/**
 * EventBridge PutEvents, the one call runs-api makes to EventBridge, in the shapes of the
 * AWS SDK's PutEventsCommand (input Entries, output FailedEntryCount/Entries).
 *
 * @aws-sdk/client-eventbridge is not a dependency of this repository, so the request is
 * made here with the SDK's own parts that are installed: credentials from
 * @aws-sdk/credential-provider-node (the SDK's default chain), SigV4 from
 * @smithy/signature-v4, and the AWS JSON 1.1 protocol PutEvents speaks
 * (`X-Amz-Target: AWSEvents.PutEvents`). The endpoint follows the SDK's convention:
 * AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL, else events.<region>.amazonaws.com.
 */
export interface PutEventsRequestEntry {
  Source: string;
  DetailType: string;
  /** A JSON object as text; EventBridge refuses an entry without it. */
  Detail: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: Date;
}

export interface PutEventsResultEntry {
  EventId?: string;
  ErrorCode?: string;
  ErrorMessage?: string;
}

export interface PutEventsOutput {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

export interface EventPublisher {
  putEvents(entries: PutEventsRequestEntry[]): Promise<PutEventsOutput>;
}

/** EventBridge answered with an error (AccessDenied, a validation error, throttling after retries). */
export class EventBridgeError extends Error {
  override name = 'EventBridgeError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode?: number,
  ) {
    super(`EventBridge ${code}: ${message}`);
  }
}

export interface EventBridgeOptions {
  env?: NodeJS.ProcessEnv;
  /** Overrides the SDK's default credential chain (tests, a local endpoint). */
  credentials?: AwsCredentialIdentity | Provider<AwsCredentialIdentity>;
  timeoutMs?: number;
  /** Attempts for a refusal that says nothing was accepted (throttling, 503). */
  maxAttempts?: number;
  baseDelayMs?: number;
}

// Refusals that say the request was not taken in: safe to send again. Other failures
// are not retried, since a resent PutEvents after a lost answer would start a second run.
const RETRYABLE = new Set(['ThrottlingException', 'ServiceUnavailableException']);

export function createEventBridge(options: EventBridgeOptions = {}): EventPublisher {
  const env = options.env ?? process.env;
  const settings = clientSettings('EVENTBRIDGE', env);
  const endpoint = new URL(settings.endpoint ?? `https://events.${settings.region}.amazonaws.com`);
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 100;
  let signer: Promise<{ sign(request: SignableRequest): Promise<SignableRequest> }> | undefined;

  // Loaded on the first trigger: listing runs never pays for the credential chain.
  const getSigner = () =>
    (signer ??= (async () => {
      const [{ SignatureV4 }, { Sha256 }] = await Promise.all([
        import('@smithy/signature-v4'),
        import('@smithy/core/checksum'),
      ]);
      const credentials =
        options.credentials ??
        settings.credentials ??
        (await import('@aws-sdk/credential-provider-node')).defaultProvider();
      const v4 = new SignatureV4({ service: 'events', region: settings.region, credentials, sha256: Sha256 });
      return { sign: (request: SignableRequest) => v4.sign(request) as Promise<SignableRequest> };
    })());

  async function send(body: string): Promise<{ status: number; text: string }> {
    const request: SignableRequest = {
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port ? { port: Number(endpoint.port) } : {}),
      path: endpoint.pathname || '/',
      query: {},
      headers: {
        host: endpoint.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'AWSEvents.PutEvents',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    };
    const signed = await (await getSigner()).sign(request);
    return new Promise((resolve, reject) => {
      const call = (endpoint.protocol === 'http:' ? httpRequest : httpsRequest)(
        {
          method: 'POST',
          hostname: endpoint.hostname,
          port: endpoint.port || undefined,
          path: signed.path,
          headers: signed.headers,
          timeout: timeoutMs,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () =>
            resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
          );
        },
      );
      call.on('timeout', () => call.destroy(new Error(`no answer from EventBridge within ${timeoutMs} ms`)));
      call.on('error', reject);
      call.end(body);
    });
  }

  return {
    async putEvents(entries) {
      const body = JSON.stringify({
        Entries: entries.map(({ Time, ...entry }) => ({
          ...entry,
          ...(Time ? { Time: Time.getTime() / 1000 } : {}),
        })),
      });
      for (let attempt = 1; ; attempt++) {
        const { status, text } = await send(body);
        const parsed = parseJson(text);
        if (status >= 200 && status < 300) {
          if (!parsed || typeof parsed.FailedEntryCount !== 'number' || !Array.isArray(parsed.Entries))
            throw new EventBridgeError(
              'InvalidResponse',
              'the PutEvents answer is not JSON of its shape',
              status,
            );
          return {
            FailedEntryCount: parsed.FailedEntryCount,
            Entries: parsed.Entries as PutEventsResultEntry[],
          };
        }
        // `__type` is `[namespace#]Code`; the message field is spelt either way.
        const code = String(parsed?.__type ?? `HTTP${status}`)
          .split('#')
          .pop()!;
        const message = String(parsed?.message ?? parsed?.Message ?? (text.slice(0, 200) || 'no message'));
        const retryable = RETRYABLE.has(code) || status === 503;
        if (!retryable || attempt >= maxAttempts) throw new EventBridgeError(code, message, status);
        const delay = baseDelayMs * 2 ** (attempt - 1);
        await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
      }
    },
  };
}

interface SignableRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
