import type { Server } from 'node:http';

/**
 * Stops a local HTTP server and waits until it is closed. Open keep-alive connections are
 * dropped too: left alone, they would hold close() open until they time out.
 */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
