import { spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { isRoot, packagedBinaries, StackStartError, startPostgres } from './postgres';
import { startStack } from './stack';

/**
 * The embedded PostgreSQL where the `postgres` user cannot reach the checkout (a
 * clone in /root, mode 0700, as root in a container), and what a failed start
 * leaves behind: one StackStartError naming the cause, and no temporary folder or
 * password file.
 */

let scratch: string;
let native: string;

beforeAll(async () => {
  native = await packagedBinaries();
});

beforeEach(async () => {
  scratch = await mkdtemp(join(process.env.PIPELINES_TEST_TMPDIR ?? tmpdir(), 'postgres-test-'));
  // As root the server runs as `postgres`, which must be able to enter the parts meant to be reachable.
  await chmod(scratch, 0o755);
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function selectOne(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one;
  } finally {
    await client.end();
  }
}

/** A copy of the binaries inside a folder only root can enter, like node_modules of a clone in /root. */
async function unreachableBinaries(): Promise<string> {
  const locked = join(scratch, 'locked');
  await mkdir(locked, { mode: 0o700 });
  await chmod(locked, 0o700);
  await cp(native, join(locked, 'native'), { recursive: true, verbatimSymlinks: true });
  return join(locked, 'native');
}

function canRunAsPostgres(binary: string): boolean {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
  return spawnSync(binary, ['--version'], { uid, gid }).status === 0;
}

const asRoot = isRoot() ? describe : describe.skip;

asRoot('as root, with a checkout the postgres user cannot enter', () => {
  it('runs the server from a copy of the binaries it can reach, made once per version', async () => {
    const binaries = await unreachableBinaries();
    const cacheRoot = join(scratch, 'cache');
    await mkdir(cacheRoot, { mode: 0o755 });
    const dataParent = join(scratch, 'data');
    await mkdir(dataParent, { mode: 0o755 });
    const notices: string[] = [];

    const server = await startPostgres({
      baseDir: dataParent,
      persistent: false,
      fast: true,
      binaries,
      cacheRoot,
      notice: (m) => notices.push(m),
    });
    try {
      expect(canRunAsPostgres(join(binaries, 'bin', 'postgres'))).toBe(false);
      expect(server.binaries.startsWith(`${cacheRoot}/pipelines-postgres-`)).toBe(true);
      expect(canRunAsPostgres(join(server.binaries, 'bin', 'postgres'))).toBe(true);
      expect(notices).toEqual([
        `the \`postgres\` user cannot reach ${binaries}; PostgreSQL runs from a copy in ${server.binaries}`,
      ]);
      expect(await selectOne(server.url)).toBe(1);
    } finally {
      await server.stop();
    }
    const copiedAt = (await stat(join(server.binaries, 'bin', 'postgres'))).mtimeMs;

    const again = await startPostgres({
      baseDir: dataParent,
      persistent: false,
      fast: true,
      binaries,
      cacheRoot,
    });
    await again.stop();
    expect(again.binaries).toBe(server.binaries);
    expect((await stat(join(again.binaries, 'bin', 'postgres'))).mtimeMs).toBe(copiedAt);
    // Only the finished copy: no half-built folder, no password file.
    expect(await readdir(cacheRoot)).toEqual([server.binaries.slice(cacheRoot.length + 1)]);
    expect(await readdir(dataParent)).toEqual([]);
  });

  it('keeps the data of a persistent folder it cannot enter in a reachable folder, the same one every run', async () => {
    const locked = join(scratch, 'home');
    await mkdir(locked, { mode: 0o700 });
    const dataDir = join(locked, 'stack');
    await mkdir(dataDir, { recursive: true });
    const cacheRoot = join(scratch, 'cache');
    await mkdir(cacheRoot, { mode: 0o755 });

    const first = await startPostgres({ baseDir: dataDir, persistent: true, fast: true, cacheRoot });
    try {
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('CREATE TABLE kept (id int)');
      await client.end();
    } finally {
      await first.stop();
    }
    expect(first.dataDir.startsWith(`${cacheRoot}/pipelines-postgres-data-`)).toBe(true);

    const second = await startPostgres({ baseDir: dataDir, persistent: true, fast: true, cacheRoot });
    try {
      expect(second.dataDir).toBe(first.dataDir);
      const client = new pg.Client({ connectionString: second.url });
      await client.connect();
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM kept');
      await client.end();
      expect(rows[0]!.n).toBe('0');
    } finally {
      await second.stop();
    }
  });
});

describe('a stack that cannot start', () => {
  let savedTmp: string | undefined;
  let tmp: string;
  let blocker: Server | undefined;

  beforeEach(async () => {
    // The stack's temporary folders go here, so the test sees exactly what a failure leaves.
    savedTmp = process.env.TMPDIR;
    tmp = join(scratch, 'tmp');
    await mkdir(tmp, { mode: 0o755 });
    process.env.TMPDIR = tmp;
  });

  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
  });

  const noServices = { PATH: process.env.PATH };

  it('says that the PostgreSQL port is in use, and leaves no folder or password file behind', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    const failure = startStack({ env: noServices, fast: true, postgresPort: port });
    await expect(failure).rejects.toThrow(StackStartError);
    await expect(failure).rejects.toThrow(
      `PostgreSQL could not listen on 127.0.0.1:${port}: the port is already in use`,
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it('names missing binaries', async () => {
    const missing = join(scratch, 'no-such-package', 'native');
    const failure = startStack({ env: noServices, postgresBinaries: missing, postgresCacheRoot: scratch });
    await expect(failure).rejects.toThrow(
      new StackStartError(
        `PostgreSQL binaries not found: ${missing}/bin/postgres does not exist (reinstall with \`npm ci\`)`,
      ),
    );
    expect(await readdir(tmp)).toEqual([]);
  });

  it('reports a binary that cannot be executed as one message instead of an unhandled spawn error', async () => {
    const binaries = join(scratch, 'native');
    await cp(native, binaries, { recursive: true, verbatimSymlinks: true });
    await chmod(join(binaries, 'bin', 'initdb'), 0o644);
    const cacheRoot = join(scratch, 'cache');
    await mkdir(cacheRoot, { mode: 0o755 });
    const failure = startStack({ env: noServices, postgresBinaries: binaries, postgresCacheRoot: cacheRoot });
    await expect(failure).rejects.toThrow(StackStartError);
    // As root the copy is tried first and is no better; otherwise initdb itself is refused.
    await expect(failure).rejects.toThrow(
      isRoot()
        ? `the \`postgres\` user cannot reach the PostgreSQL binaries in ${binaries}`
        : `PostgreSQL initdb: could not run ${binaries}/bin/initdb (permission denied)`,
    );
    expect(await readdir(tmp)).toEqual([]);
  });
});
