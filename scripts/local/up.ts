import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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

const upCommand = {
  usage: 'npm run local -- up',
  summary: 'Run PostgreSQL, S3 and DynamoDB on free local ports until Ctrl-C (or SIGTERM / SIGHUP).',
  options: {
    'data-dir': {
      type: 'string',
      value: 'DIR',
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

/** `npm run local -- up [--data-dir DIR]`: run the stack until Ctrl-C. */
export async function runUp(argv: string[]): Promise<number> {
  // A closed terminal or a reader that went away must not turn the shutdown into a crash.
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const say = (text: string) => process.stderr.write(`${text}\n`);
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

    let failed: ((reason: string) => void) | undefined;
    const failure = new Promise<string>((resolve) => (failed = resolve));
    stack = await startStack({ dataDir, notice: say, onFailure: (reason) => failed?.(reason) });
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
          stack.postgresDataDir && dirname(stack.postgresDataDir) !== dataDir
            ? ` (PostgreSQL: ${stack.postgresDataDir})`
            : ''
        }`,
        '',
        'Use it from another shell:',
        exports,
        '',
      ].join('\n'),
    );

    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
    let unwatch = () => undefined as void;
    const outcome = await new Promise<{ why: string; code: number }>((resolve) => {
      onSignal = (signal) => resolve({ why: `received ${signal}`, code: 0 });
      // Listeners stay installed through the shutdown, so a second Ctrl-C cannot kill
      // the process halfway and leave PostgreSQL running.
      for (const signal of signals) process.on(signal, onSignal);
      unwatch = watchLaunchers((why) => resolve({ why, code: 0 }));
      void failure.then((reason) => resolve({ why: reason, code: 1 }));
    });
    unwatch();
    say(`\nStopping the local stack (${outcome.why})…`);
    await rm(envFile, { force: true });
    await stack.stop();
    for (const signal of signals) process.off(signal, onSignal);
    return outcome.code;
  } catch (error) {
    if (envFile && stack) await rm(envFile, { force: true });
    await stack?.stop();
    if (error instanceof StackStartError) {
      say(`error: ${error.message}`);
      return 1;
    }
    return reportError(error);
  }
}
