import type { AcquiredStack } from '../stack';

/**
 * The stack a local command runs on (scripts/local/stack.ts acquireStack: the
 * services DATABASE_URL / AWS_ENDPOINT_URL* name, else the running `npm run local --
 * up` stack, else a throw-away one), announced in one line on stderr.
 */
export async function acquireStackSession(
  command: string,
  log: (message: string) => void,
  options: { fast?: boolean } = {},
): Promise<AcquiredStack> {
  // Imported on first use: a pipeline module loaded only for its descriptor (usage, the
  // registry, tests) should not load the stack's servers.
  const { acquireStack } = await import('../stack');
  const session = await acquireStack({
    fast: options.fast,
    // The server's own chatter is not for a person running a pipeline; stack decisions are.
    log: (message) => {
      if (!message.startsWith('[postgres]')) log(message);
    },
  });
  log(`${command}: ${session.description}`);
  return session;
}
