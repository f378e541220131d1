import type { AwsCredentialIdentity, Provider } from '@smithy/types';
import { clientSettings } from '../shared/aws';

/**
 * EventBridge PutEvents, the one call runs-api makes to EventBridge, through
 * @aws-sdk/client-eventbridge (loaded on the first trigger: listing runs never pays for it).
 * The endpoint follows the SDK's convention (AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL).
 *
 * The SDK's own retries are off: it would also resend after a timeout or a dropped
 * connection, when EventBridge may already have taken the event in, and a second event is
 * a second run. Only refusals that say nothing was accepted (throttling, 503) are resent here.
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
  const settings = clientSettings('EVENTBRIDGE', options.env ?? process.env);
  const maxAttempts = options.maxAttempts ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const timeoutMs = options.timeoutMs ?? 5_000;
  let sdk: Promise<{ send(entries: PutEventsRequestEntry[]): Promise<PutEventsOutput> }> | undefined;

  const client = () =>
    (sdk ??= (async () => {
      const { EventBridgeClient, PutEventsCommand } = await import('@aws-sdk/client-eventbridge');
      const eventBridge = new EventBridgeClient({
        region: settings.region,
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
        ...((options.credentials ?? settings.credentials)
          ? { credentials: options.credentials ?? settings.credentials }
          : {}),
        maxAttempts: 1,
        requestHandler: { requestTimeout: timeoutMs, connectionTimeout: timeoutMs },
      });
      return {
        async send(entries: PutEventsRequestEntry[]) {
          const out = await eventBridge.send(new PutEventsCommand({ Entries: entries }));
          // One result per entry, in order, is what PutEvents promises: anything else is not its answer.
          if (typeof out.FailedEntryCount !== 'number' || out.Entries?.length !== entries.length)
            throw new EventBridgeError('InvalidResponse', 'the PutEvents answer is not of its shape', 200);
          return { FailedEntryCount: out.FailedEntryCount, Entries: out.Entries };
        },
      };
    })());

  return {
    async putEvents(entries) {
      const eventBridge = await client();
      for (let attempt = 1; ; attempt++) {
        try {
          return await eventBridge.send(entries);
        } catch (error) {
          if (error instanceof EventBridgeError) throw error;
          const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
          const status = e.$metadata?.httpStatusCode;
          const code = e.name ?? 'Error';
          const retryable = RETRYABLE.has(code) || status === 503;
          if (!retryable || attempt >= maxAttempts)
            throw new EventBridgeError(code, e.message || 'no message', status);
          const delay = baseDelayMs * 2 ** (attempt - 1);
          await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
        }
      }
    },
  };
}
