import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';
import { acquireStack, STACK_PID_KEY } from './stack';

/**
 * `npm run local -- up` as a person runs it: npm → (sh) → tsx → node. Whichever
 * signal reaches the top process, PostgreSQL stops and the env file goes away; a
 * stack killed outright (SIGKILL) still stops PostgreSQL, and the next command
 * recognises its env file as stale.
 */

const root = repositoryRoot();
let scratch: string;
let envFile: string;

/** The environment of a person's shell: none of the endpoints the jest run publishes. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIPELINES_STACK_ENV_FILE: envFile };
  for (const key of [
    'DATABASE_URL',
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_ENDPOINT_URL_DYNAMODB',
    'LOCAL_SECRETS_FILE',
    'PIPELINES_TEST_DATABASE_URL',
  ]) {
    delete env[key];
  }
  env.PATH = `${join(root, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
  return env;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

interface Up {
  top: ChildProcess;
  exited: Promise<void>;
  output: () => string;
  port: number;
  pid: number;
}

/**
 * On Linux the command runs under `setpriv --pdeathsig SIGTERM`: should jest itself be
 * interrupted, npm is terminated with it instead of keeping a stack running.
 */
const npmCommand = existsSync('/usr/bin/setpriv')
  ? ['/usr/bin/setpriv', '--pdeathsig', 'TERM', '--', 'npm']
  : ['npm'];

/** Starts `npm run local -- up` in its own process group, as an interactive shell would. */
async function startUp(): Promise<Up> {
  const [program, ...prefix] = npmCommand;
  const args = [...prefix, 'run', '--silent', 'local', '--', 'up', '--data-dir', join(scratch, 'data')];
  const top = spawn(program!, args, {
    cwd: root,
    env: shellEnv(),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  top.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  top.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let done = false;
  const exited = new Promise<void>((resolve) =>
    top.once('exit', () => {
      done = true;
      resolve();
    }),
  );
  await until('the env file is written', () => {
    if (done) throw new Error(`up exited before it was ready:\n${output}`);
    return existsSync(envFile);
  });
  const env = JSON.parse(readFileSync(envFile, 'utf8')) as Record<string, string>;
  const up = {
    top,
    exited,
    output: () => output,
    port: Number(new URL(env.DATABASE_URL!).port),
    pid: Number(env[STACK_PID_KEY]),
  };
  started.push(up);
  return up;
}

async function stopped(up: Up): Promise<void> {
  await until('PostgreSQL stops', async () => !(await answers(up.port)), 30_000);
  await until('the env file is removed', () => !existsSync(envFile), 30_000);
  await up.exited;
  expect(up.output()).toContain('Stopping the local stack');
}

const started: Up[] = [];

afterEach(async () => {
  // A failed test must not leave its stack running for the next one.
  for (const up of started.splice(0)) {
    if (up.top.exitCode === null && up.top.signalCode === null) {
      try {
        process.kill(up.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await up.exited;
    }
  }
  await rm(envFile, { force: true });
});

beforeAll(async () => {
  scratch = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? tmpdir(), 'up-test-'));
  // As root the server runs as `postgres`, which must enter the data folder.
  await chmod(scratch, 0o755);
  envFile = join(scratch, 'stack.env.json');
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('npm run local -- up', () => {
  // Ctrl-C in a terminal signals the whole foreground process group.
  it('stops PostgreSQL and removes its env file on Ctrl-C (SIGINT to the process group)', async () => {
    const up = await startUp();
    expect(await answers(up.port)).toBe(true);
    process.kill(-up.top.pid!, 'SIGINT');
    await stopped(up);
  });

  // kill(1), a closed terminal or a supervisor signals only the process it started.
  it.each(['SIGTERM', 'SIGHUP'] as const)(
    'stops PostgreSQL and removes its env file when only npm receives %s',
    async (signal) => {
      const up = await startUp();
      expect(await answers(up.port)).toBe(true);
      up.top.kill(signal);
      await stopped(up);
    },
  );

  it('refuses to start a second stack beside a running one', async () => {
    const up = await startUp();
    try {
      const second = spawn(
        'npm',
        ['run', '--silent', 'local', '--', 'up', '--data-dir', join(scratch, 'data')],
        {
          cwd: root,
          env: shellEnv(),
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      second.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
      expect(code).toBe(1);
      expect(stderr.trim()).toMatch(
        new RegExp(`^error: a stack from \`npm run local -- up\` is already running \\(pid ${up.pid}, `),
      );
      expect(await answers(up.port)).toBe(true);
    } finally {
      up.top.kill('SIGTERM');
      await up.exited;
    }
  });

  it('stops PostgreSQL even when the node process is killed outright, and the next command sees the stale env file', async () => {
    const up = await startUp();
    process.kill(up.pid, 'SIGKILL');
    await up.exited;
    await until('PostgreSQL stops', async () => !(await answers(up.port)), 30_000);
    expect(existsSync(envFile)).toBe(true);

    const notes: string[] = [];
    const stack = await acquireStack({ env: shellEnv(), log: (m) => notes.push(m) });
    // Only the notes about the env file: as root in a checkout the `postgres` user cannot enter, relocation notes come too.
    notes.splice(0, notes.length, ...notes.filter((note) => note.includes(envFile)));
    try {
      expect(stack.reused).toBe(false);
      expect(notes).toEqual([
        `found ${envFile} from a stack that is no longer running (pid ${up.pid}); starting a fresh one (the file is removed) — run \`npm run local -- up\` to keep one running`,
      ]);
      expect(existsSync(envFile)).toBe(false);
    } finally {
      await stack.release();
    }
  });

  it('says in one line why it cannot start, without a stack trace', async () => {
    const notAFolder = join(scratch, 'a-file');
    await writeFile(notAFolder, '');
    const child = spawn('tsx', ['scripts/local/cli.ts', 'up', '--data-dir', notAFolder], {
      cwd: root,
      env: shellEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toBe(`error: ${notAFolder} is not a folder\n`);
    expect(existsSync(envFile)).toBe(false);
  });
});
