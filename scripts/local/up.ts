import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseCommand, reportError } from '../lib/args';
import {
  findRunningStack,
  STACK_PID_KEY,
  stackEnvFile,
  StackStartError,
  startStack,
  type LocalStack,
} from './stack';

export { STACK_ENV_FILE } from './stack';

/** The options of `up`, for the CLI's usage and checks. */
export const upCommand = {
  usage: 'npm run local -- up',
  summary: 'Run PostgreSQL, S3 and DynamoDB on free local ports until Ctrl-C (or SIGTERM / SIGHUP).',
  options: {
    'data-dir': {
      type: 'string',
      value: 'dir',
      description: 'keep the data in this folder between runs (default .local/stack)',
    },
  },
  notes: [
    'The endpoints are written to .local/stack.env.json, which `npm run invoke` and the pipelines reuse.',
  ],
} as const;

interface ProcStat {
  ppid: number;
  pgrp: number;
  state: string;
  startTime: string;
}

/** /proc/<pid>/stat, whose second field (the command name) may itself hold spaces and parentheses. */
function procStat(pid: number | 'self'): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]), startTime: fields[19]! };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onGone` once the command that launched this process is gone: its parent, or
 * (on Linux) any ancestor of the same process group — npm, sh and tsx when started as
 * `npm run local -- up`, make as well for `make local-up`. A signal that kills one of
 * them without reaching this process (SIGHUP or SIGKILL to npm, a wrapper that does not
 * forward signals) must still stop PostgreSQL rather than leave it orphaned.
 */
function watchLaunchers(onGone: (why: string) => void): () => void {
  const parentAtStart = process.ppid;
  const own = procStat('self');
  const watched: Array<{ pid: number; startTime: string }> = [];
  if (own) {
    let pid = own.ppid;
    while (pid > 1) {
      const stat = procStat(pid);
      if (!stat || stat.pgrp !== own.pgrp) break;
      watched.push({ pid, startTime: stat.startTime });
      pid = stat.ppid;
    }
  }
  // The walk normally ends at the group leader (npm, make). When it does not and the
  // leader no longer exists, the launcher died before this process looked: a Ctrl-C
  // or a kill during the few hundred milliseconds tsx takes to load this file.
  if (own && own.pgrp !== process.pid && !watched.some(({ pid }) => pid === own.pgrp)) {
    const leader = procStat(own.pgrp);
    if (!leader || leader.state === 'Z') {
      setImmediate(() => onGone(`the command that launched it (pid ${own.pgrp}) already exited`));
    }
  }
  const timer = setInterval(() => {
    if (process.ppid !== parentAtStart) {
      onGone(`its parent process (pid ${parentAtStart}) exited`);
      return;
    }
    for (const { pid, startTime } of watched) {
      const stat = procStat(pid);
      // A zombie has exited; a different start time means the pid was reused.
      if (!stat || stat.state === 'Z' || stat.startTime !== startTime) {
        onGone(`the process that launched it (pid ${pid}) exited`);
        return;
      }
    }
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** `npm run local -- up [--data-dir DIR]`: run the stack until Ctrl-C. */
export async function runUp(argv: string[]): Promise<number> {
  // A closed terminal or a reader that went away must not turn the shutdown into a crash.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const say = (text: string) => process.stderr.write(`${text}\n`);

  // Installed before anything starts: a stop asked for while the stack is starting is
  // carried out as soon as it is up, and the launchers are recorded while they are alive.
  // The listeners stay through the shutdown, so a second Ctrl-C cannot kill the process
  // halfway and leave PostgreSQL running.
  let stopRequest: { why: string; code: number } | undefined;
  let wake = () => undefined as void;
  const requestStop = (why: string, code = 0) => {
    stopRequest ??= { why, code };
    wake();
  };
  const onSignal = (signal: NodeJS.Signals) => requestStop(`received ${signal}`);
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  const unwatch = watchLaunchers((why) => requestStop(why));

  let stack: LocalStack | undefined;
  let envFile: string | undefined;
  try {
    const { values } = parseCommand(upCommand, argv);
    const dataDir = values['data-dir'] ?? join(process.cwd(), '.local', 'stack');
    envFile = stackEnvFile();
    const existing = await findRunningStack(envFile);
    if (existing.state === 'running') {
      say(
        `error: a stack from \`npm run local -- up\` is already running (${
          existing.pid ? `pid ${existing.pid}, ` : ''
        }postgres ${existing.env.DATABASE_URL}); use it, or stop it first`,
      );
      return 1;
    }
    if (existing.state === 'stale') {
      if (existing.ownerAlive) {
        say(`error: ${existing.reason}; stop that process first`);
        return 1;
      }
      say(`${existing.reason}; removing it`);
      await rm(envFile, { force: true });
    }

    stack = await startStack({ dataDir, notice: say, onFailure: (reason) => requestStop(reason, 1) });
    if (!stopRequest) {
      await mkdir(dirname(envFile), { recursive: true });
      await writeFile(
        envFile,
        `${JSON.stringify({ ...stack.env, [STACK_PID_KEY]: String(process.pid) }, null, 2)}\n`,
      );
      const exports = Object.entries(stack.env)
        .map(([k, v]) => `export ${k}=${v}`)
        .join('\n');
      process.stdout.write(
        [
          `Local stack is up (pid ${process.pid}; Ctrl-C to stop).`,
          `  PostgreSQL  ${stack.databaseUrl}`,
          `  S3          ${stack.s3Endpoint}`,
          `  DynamoDB    ${stack.dynamodbEndpoint}`,
          `  Secrets     ${stack.secretsFile}`,
          `  Data        ${dataDir}${
            stack.postgresDataDir && dirname(stack.postgresDataDir) !== resolve(dataDir)
              ? ` (PostgreSQL: ${stack.postgresDataDir})`
              : ''
          }`,
          '',
          'Use it from another shell:',
          exports,
          '',
        ].join('\n'),
      );
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (stopRequest) resolve();
      });
    }
    const outcome = stopRequest!;
    say(`\nStopping the local stack (${outcome.why})…`);
    await rm(envFile, { force: true });
    await stack.stop();
    return outcome.code;
  } catch (error) {
    if (envFile && stack) await rm(envFile, { force: true });
    await stack?.stop();
    if (error instanceof StackStartError) {
      say(`error: ${error.message}`);
      return 1;
    }
    return reportError(error);
  } finally {
    unwatch();
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal);
  }
}
