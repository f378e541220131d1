import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireStack, STACK_PID_KEY, startStack, type LocalStack } from './stack';

/**
 * acquireStack: which stack a local command uses. The running `up` stack (named by its
 * env file) while its endpoints answer; the services DATABASE_URL / AWS_ENDPOINT_URL*
 * name; otherwise a throw-away stack, and a stale env file is explained once.
 */

let scratch: string;
let envFile: string;
const shell = () => ({ PATH: process.env.PATH, PIPELINES_STACK_ENV_FILE: envFile });

function port(url: string): number {
  return Number(new URL(url).port);
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: port(url) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Publishes a stack the way `npm run local -- up` does. */
async function publish(stack: LocalStack, pid: number): Promise<void> {
  await writeFile(envFile, JSON.stringify({ ...stack.env, [STACK_PID_KEY]: String(pid) }));
}

beforeEach(async () => {
  scratch = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? tmpdir(), 'stack-test-'));
  await chmod(scratch, 0o755);
  envFile = join(scratch, 'stack.env.json');
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('acquireStack', () => {
  it('reuses the running `up` stack while its endpoints answer, and release() leaves it running', async () => {
    const up = await startStack({ env: { PATH: process.env.PATH }, fast: true });
    try {
      await publish(up, process.pid);
      const acquired = await acquireStack({ env: shell() });
      await acquired.release();
      expect(acquired.reused).toBe(true);
      expect(acquired.env).toEqual(up.env);
      expect(acquired.description).toBe(
        `using the running stack from \`npm run local -- up\` (pid ${process.pid}, postgres 127.0.0.1:${port(up.databaseUrl)})`,
      );
      expect(await answers(up.databaseUrl)).toBe(true);
      expect(existsSync(envFile)).toBe(true);
    } finally {
      await up.stop();
    }
  });

  it('explains an env file left by a process that has gone, removes it, and starts a throw-away stack that release() stops', async () => {
    const gone = spawnSync('true').pid;
    await writeFile(
      envFile,
      JSON.stringify({
        DATABASE_URL: 'postgres://postgres:postgres@127.0.0.1:1/postgres',
        [STACK_PID_KEY]: gone,
      }),
    );
    const notes: string[] = [];
    const acquired = await acquireStack({ env: shell(), log: (m) => notes.push(m) });
    // Only the notes about the env file: as root in a checkout the `postgres` user cannot enter, relocation notes come too.
    notes.splice(0, notes.length, ...notes.filter((note) => note.includes(envFile)));
    try {
      expect(notes).toEqual([
        `found ${envFile} from a stack that is no longer running (pid ${gone}); starting a fresh one (the file is removed) — run \`npm run local -- up\` to keep one running`,
      ]);
      expect(existsSync(envFile)).toBe(false);
      expect(acquired.reused).toBe(false);
      expect(acquired.description).toBe('started a throw-away stack (stopped at exit)');
      expect(await answers(acquired.env.DATABASE_URL!)).toBe(true);
    } finally {
      await acquired.release();
    }
    expect(await answers(acquired.env.DATABASE_URL!)).toBe(false);
  });

  it('leaves the env file of a live `up` whose endpoints do not answer, and says so', async () => {
    const dead = await startStack({ env: { PATH: process.env.PATH }, fast: true });
    await dead.stop();
    await publish(dead, process.pid);
    const notes: string[] = [];
    const acquired = await acquireStack({ env: shell(), log: (m) => notes.push(m) });
    // Only the notes about the env file: as root in a checkout the `postgres` user cannot enter, relocation notes come too.
    notes.splice(0, notes.length, ...notes.filter((note) => note.includes(envFile)));
    await acquired.release();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain(
      `found ${envFile} (pid ${process.pid}), but its 127.0.0.1:${port(dead.databaseUrl)}`,
    );
    expect(existsSync(envFile)).toBe(true);
    expect(acquired.reused).toBe(false);
  });

  it('treats an unreadable env file as stale', async () => {
    await writeFile(envFile, '{"DATABASE_URL": ');
    const notes: string[] = [];
    const acquired = await acquireStack({ env: shell(), log: (m) => notes.push(m) });
    // Only the notes about the env file: as root in a checkout the `postgres` user cannot enter, relocation notes come too.
    notes.splice(0, notes.length, ...notes.filter((note) => note.includes(envFile)));
    await acquired.release();
    expect(notes).toEqual([expect.stringContaining(`found ${envFile}, which is not valid JSON`)]);
    expect(existsSync(envFile)).toBe(false);
  });

  it('uses the services DATABASE_URL and AWS_ENDPOINT_URL name, starting nothing and ignoring the env file', async () => {
    await writeFile(envFile, '{}');
    const databaseUrl = process.env.PIPELINES_TEST_DATABASE_URL!;
    const endpoint = process.env.AWS_ENDPOINT_URL_S3!;
    const acquired = await acquireStack({
      env: { ...shell(), DATABASE_URL: databaseUrl, AWS_ENDPOINT_URL: endpoint },
    });
    await acquired.release();
    expect(acquired.reused).toBe(true);
    expect(acquired.description).toBe('using the services DATABASE_URL, AWS_ENDPOINT_URL name');
    expect(acquired.env).toMatchObject({
      DATABASE_URL: databaseUrl,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    });
    expect(await answers(databaseUrl)).toBe(true);
  });

  it('starts what DATABASE_URL alone does not cover', async () => {
    const databaseUrl = process.env.PIPELINES_TEST_DATABASE_URL!;
    const acquired = await acquireStack({ env: { ...shell(), DATABASE_URL: databaseUrl } });
    try {
      expect(acquired.reused).toBe(false);
      expect(acquired.description).toBe(
        'using the services DATABASE_URL name; started a throw-away S3, DynamoDB (stopped at exit)',
      );
      expect(acquired.env.DATABASE_URL).toBe(databaseUrl);
      expect(await answers(acquired.env.AWS_ENDPOINT_URL_S3!)).toBe(true);
    } finally {
      await acquired.release();
    }
    expect(await answers(acquired.env.AWS_ENDPOINT_URL_S3!)).toBe(false);
    expect(await answers(databaseUrl)).toBe(true);
  });
});
