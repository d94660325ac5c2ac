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
 *
 * A whole run can share one server instead (`scripts/with-postgres.ts` starts it and names it in
 * THREADLINE_TEST_POSTGRES): an initdb per test file costs a second or more of CPU. Each test
 * process then drops its own databases when it exits, so a run of hundreds of files does not fill
 * the disk with copies of template1.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { after, before } from 'node:test';
import { delimiter, dirname, join } from 'node:path';
import pg from 'pg';

export interface PostgresServer {
  /** The directory of its binaries (psql, pg_ctl). */
  readonly bin: string;
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
  // Where the link on PATH leads (/usr/local/bin/initdb → Debian's directory): psql is there too.
  if (onPath) return dirname(realpathSync(join(onPath, 'initdb')));
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

/** The variable naming the run's server (its `RunServer` as JSON), set by scripts/with-postgres.ts. */
export const RUN_SERVER_ENV = 'THREADLINE_TEST_POSTGRES';

/** What a test process needs to know of a server another process started: its plain fields. */
export type RunServer = Pick<PostgresServer, 'baseUrl' | 'port' | 'password' | 'dataDir' | 'bin'>;

/** The test process's one server: the run's when there is one, else its own, started on first use. */
export function sharedPostgres(): Promise<PostgresServer> {
  const run = process.env[RUN_SERVER_ENV];
  shared ??= run ? Promise.resolve(attachTo(JSON.parse(run) as RunServer)) : startPostgres();
  return shared;
}

/**
 * The run's server as this process uses it: databases of its own, dropped at exit (synchronously,
 * with psql: an exit handler cannot wait for a promise). It cannot be restarted or stopped from
 * here — other test files are using it; a test that breaks its server takes its own (`postgresOfFile`).
 */
function attachTo(server: RunServer): PostgresServer {
  const created: string[] = [];
  process.once('exit', () => {
    if (created.length === 0) return;
    const drops = created.flatMap((name) => ['-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
    // The password goes by the environment: a command line is visible to every local user.
    const env = { ...process.env, PGPASSWORD: server.password };
    try {
      execFileSync(join(server.bin, 'psql'), ['-q', '-X', '-h', '127.0.0.1', '-p', String(server.port), '-U', USER, '-d', 'postgres', ...drops], { stdio: 'ignore', timeout: 30_000, env });
    } catch {
      // the run's server is gone already (the run is ending): its directory goes with it
    }
  });
  const admin = adminOf(server.baseUrl);
  return {
    ...server,
    admin,
    async createDatabase(template = 'template1') {
      const url = await createDatabaseOn(server.baseUrl, admin, template);
      created.push(new URL(url).pathname.slice(1));
      return url;
    },
    pgCtl: () => {
      throw new Error(`the run's shared PostgreSQL server cannot be restarted by one test file: use postgresOfFile()`);
    },
    stop: () => {},
  };
}

/** Runs one SQL statement as the superuser on the `postgres` database. */
function adminOf(baseUrl: string): (sql: string) => Promise<void> {
  return async (sql) => {
    const client = new pg.Client({ connectionString: `${baseUrl}postgres` });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
}

let databases = 0;

/** A new database named after this process (unique on a server several processes share). */
async function createDatabaseOn(baseUrl: string, admin: (sql: string) => Promise<void>, template: string): Promise<string> {
  const name = `t${process.pid}_${++databases}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
  return `${baseUrl}${name}`;
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
    const admin = adminOf(baseUrl);
    return {
      baseUrl,
      port,
      password,
      dataDir,
      bin,
      admin,
      createDatabase: (template = 'template1') => createDatabaseOn(baseUrl, admin, template),
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
      // Shared by a whole run, two test files at a time, each spawning servers with pools of their own.
      '-c max_connections=500',
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
