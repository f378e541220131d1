import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { endpointFor } from '../../functions/shared/aws';

/**
 * No EventBridge runs locally, and a handler that sends events (runs-api's manual
 * trigger) must never reach the real one from a local command, whatever credentials the
 * machine holds. Every local command therefore gets AWS_ENDPOINT_URL_EVENTBRIDGE pointing
 * here unless the person named an endpoint: PutEvents is answered as EventBridge answers
 * (one result per entry, FailedEntryCount 0, a `local-` event id) and each entry is
 * reported, so a person sees what would have been sent. Nothing starts.
 */
export interface EventBridgeStandIn {
  /** The variables to add to the command's environment (none when an endpoint was given). */
  env: Record<string, string>;
  /** What PutEvents received, in order. */
  entries: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startEventBridgeStandIn(
  report: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EventBridgeStandIn> {
  const entries: Array<Record<string, unknown>> = [];
  if (endpointFor('EVENTBRIDGE', env)) return { env: {}, entries, close: async () => undefined };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      let body: { Entries?: Array<Record<string, unknown>> } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as typeof body;
      } catch {
        body = {};
      }
      if (target !== 'AWSEvents.PutEvents' || !Array.isArray(body.Entries)) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(
          JSON.stringify({
            __type: 'ValidationException',
            message: `the local EventBridge stand-in answers PutEvents only (got ${target || 'no target'})`,
          }),
        );
        return;
      }
      const results = body.Entries.map((entry) => {
        entries.push(entry);
        report(`EventBridge (local stand-in, nothing delivered): ${JSON.stringify(entry)}`);
        return { EventId: `local-${randomUUID()}` };
      });
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ FailedEntryCount: 0, Entries: results }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${port}` },
    entries,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
