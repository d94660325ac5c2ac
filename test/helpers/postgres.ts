/**
 * A throwaway PostgreSQL server for the tests: `initdb` into a fresh temp directory, `pg_ctl
 * start` on a free loopback port (never a mock: issue 16), one server per test process, a fresh
 * database per test. It is stopped (`pg_ctl stop -m immediate`) and its directory removed when
 * the process exits, pass or fail.
 *
 * Authentication is scram-sha-256 with a random password, so every test connects with
 * credentials the way a user's URL does. As root (CI, this machine) initdb refuses to run: the
 * server is then run as the `postgres` user (Debian's package makes it) through `runuser`, in a
 * directory under os.tmpdir() chowned to it (the repo may live in a mode-700 directory).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { delimiter, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** postgres://threadline:PASSWORD@127.0.0.1:PORT/ (append a database name). */
  readonly baseUrl: string;
  readonly port: number;
  readonly password: string;
  /** The data directory (for `pg_ctl restart` in fault tests). */
  readonly dataDir: string;
  /** A new empty database (from `template`, default template1); returns its URL. */
  createDatabase(template?: string): Promise<string>;
  /** Runs one SQL statement as the superuser on the `postgres` database. */
  admin(sql: string): Promise<void>;
  /** Runs `pg_ctl` with these arguments against this server's data directory (as its user). */
  pgCtl(...args: string[]): void;
  stop(): void;
}

/** The directory holding initdb and pg_ctl: PATH first, then Debian's versioned directories. */
export function postgresBinDir(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).find((dir) => dir && existsSync(join(dir, 'initdb')));
  if (onPath) return onPath;
  const debian = '/usr/lib/postgresql';
  if (!existsSync(debian)) return undefined;
  const versions = readdirSync(debian).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(debian, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

/**
 * Why the Postgres tests cannot run here, or undefined when they can. In CI a missing server
 * is a failure, never a skip: the caller throws this message there.
 */
export function postgresMissing(): string | undefined {
  return postgresBinDir() ? undefined : 'PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)';
}

export const inCi = (): boolean => process.env.CI === 'true';

let shared: Promise<PostgresServer> | undefined;

/** The test process's one server, started on first use. */
export function sharedPostgres(): Promise<PostgresServer> {
  shared ??= startPostgres();
  return shared;
}

const USER = 'threadline';

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresMissing());
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'threadline-pg-'));
  const dataDir = join(dir, 'data');
  const password = randomBytes(12).toString('hex');
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const command = join(bin, tool);
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    try {
      run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
    } catch {
      // not running (a failed start, or a test stopped it): the directory goes anyway
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // A test runner's timeout ends the process by a signal, which runs no 'exit' handler by itself.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.kill(process.pid, signal);
    });
  }
  try {
    run('initdb', ['-D', dataDir, '-U', USER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C', '--no-sync']);
    const port = await startOnFreePort(dir, dataDir, run);
    const baseUrl = `postgres://${USER}:${password}@127.0.0.1:${port}/`;
    let counter = 0;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: `${baseUrl}postgres` });
      await client.connect();
      try {
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    return {
      baseUrl,
      port,
      password,
      dataDir,
      admin,
      async createDatabase(template = 'template1') {
        const name = `t${process.pid}_${++counter}`;
        await admin(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
        return `${baseUrl}${name}`;
      },
      // start and restart log to the file: a server writing to our pipe would keep execFileSync waiting forever.
      pgCtl: (...args: string[]) =>
        run('pg_ctl', [...args, '-D', dataDir, ...(['start', 'restart'].includes(args[0]!) ? ['-l', join(dir, 'server.log')] : [])]),
      stop,
    };
  } catch (error) {
    const log = join(dir, 'server.log');
    const detail = existsSync(log) ? `\n${readFileSync(log, 'utf8').slice(-2000)}` : '';
    stop();
    throw new Error(`could not start PostgreSQL: ${(error as Error).message}${detail}`);
  }
}

/** Starts the server on a port the OS just called free; another process may take it first, so try a few. */
async function startOnFreePort(dir: string, dataDir: string, run: (tool: string, args: string[]) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const options = [
      `-p ${port}`,
      "-c listen_addresses='127.0.0.1'",
      `-c unix_socket_directories='${dir}'`,
      // A test server: no fsync (the tests are about the protocol, not the disk). Commits are still
      // written before they are acknowledged (synchronous_commit stays on), so a server killed
      // with `pg_ctl restart -m immediate` keeps every acknowledged commit, as a real one does.
      '-c fsync=off -c full_page_writes=off',
      '-c max_connections=300',
    ].join(' ');
    try {
      run('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '30', '-l', join(dir, 'server.log'), '-o', options]);
      return port;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A PostgreSQL server of the calling test file's own (for tests that restart or break it),
 * started before its tests and stopped after them. `missing` says why it cannot run here: the
 * tests then skip, except under CI, where that is an error.
 */
export function postgresOfFile(): { missing: string | undefined; readonly server: PostgresServer } {
  const missing = postgresMissing();
  if (missing && inCi()) throw new Error(`CI must run the Postgres tests: ${missing}`);
  let server: PostgresServer | undefined;
  before(async () => {
    if (!missing) server = await startPostgres();
  });
  after(() => server?.stop());
  return {
    missing,
    get server(): PostgresServer {
      if (!server) throw new Error(missing ?? 'the PostgreSQL server is not started yet');
      return server;
    },
  };
}
