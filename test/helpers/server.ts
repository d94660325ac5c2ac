import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ParamsOf, ResultOf, ThreadlineClient } from '@threadline/protocol';
import { spawnThreadline, type Framing, type SpawnedThreadline } from '@threadline/protocol/node';
import { EventRecorder } from './events.js';
import { testDb } from './test-db.js';

export const BIN = fileURLToPath(new URL('../../bin/threadline', import.meta.url));

export interface StartOptions {
  /**
   * Reuse a database file (e.g. to restart after a kill); default: a new temp file. Under
   * THREADLINE_TEST_DB=postgres each path stands for a Postgres database of its own (test-db.ts).
   */
  dbPath?: string;
  args?: string[];
  framing?: Framing;
  /** Params of `initialize`; false: do not initialize. */
  initialize?: false | Partial<ParamsOf<'initialize'>>;
  /** Working directory and environment of the server process (default: this process's). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** By default a test fails when the server logged an ERROR line: such a line means a bug. */
  allowErrorLogs?: boolean;
}

export interface TestServer {
  client: ThreadlineClient;
  spawned: SpawnedThreadline;
  events: EventRecorder;
  dbPath: string;
  /** What `initialize` reports as `dbPath`: the file, or on Postgres the URL without its password. */
  dbLocation: string;
  stderr: string[];
  initializeResult?: ResultOf<'initialize'>;
  /** SIGKILL, and wait until the process is gone. */
  kill(): Promise<void>;
}

/**
 * Spawns `bin/threadline serve` on its own temp database, exactly as an IDE would, with an event
 * recorder attached before `initialize`. Cleans up after the test; prints the server's stderr
 * as diagnostics so a failing test shows what the server said.
 */
export async function startServer(t: TestContext, options: StartOptions = {}): Promise<TestServer> {
  let dbPath = options.dbPath;
  if (!dbPath) {
    const dir = mkdtempSync(join(tmpdir(), 'threadline-test-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    dbPath = join(dir, 'threadline.db');
  }
  const db = await testDb(dbPath);
  const spawned = await spawnThreadline({
    bin: BIN,
    args: ['--db', db, '--log-level', 'debug', ...(options.args ?? [])],
    framing: options.framing,
    cwd: options.cwd,
    env: options.env,
    stderr: 'pipe',
    initialize: false,
  });
  const stderr: string[] = [];
  const stderrDone = new Promise<void>((resolve) => spawned.process.stderr!.once('close', resolve));
  spawned.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...chunk.split('\n').filter(Boolean)));
  const events = new EventRecorder(spawned.client);
  t.after(async () => {
    spawned.process.kill('SIGKILL');
    await spawned.exited;
    await stderrDone;
    spawned.client.dispose();
    const errors = stderr.filter((line) => line.includes(' ERROR '));
    if (errors.length > 0 && !options.allowErrorLogs) {
      throw new Error(`the server logged errors:\n${errors.join('\n')}`);
    }
  });
  const server: TestServer = {
    client: spawned.client,
    spawned,
    events,
    dbPath,
    dbLocation: db === dbPath ? dbPath : withoutPassword(db),
    stderr,
    kill: async () => {
      spawned.process.kill('SIGKILL');
      await spawned.exited;
    },
  };
  if (options.initialize !== false) server.initializeResult = await spawned.client.initialize(options.initialize ?? {});
  return server;
}

function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  return parsed.toString();
}

/** A thread to work on. */
export async function newThread(client: ThreadlineClient, params: ParamsOf<'thread/create'> = {}) {
  return (await client.request('thread/create', params)).thread;
}

/** Resolves once the server wrote a stderr line that matches (lines already written count). */
export function waitForStderr(server: TestServer, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const stream = server.spawned.process.stderr!;
  return new Promise((resolve, reject) => {
    const check = () => {
      const line = server.stderr.find((l) => pattern.test(l));
      if (line === undefined) return false;
      clearTimeout(timer);
      stream.off('data', onData);
      resolve(line);
      return true;
    };
    // Registered after the helper's own listener, so server.stderr already holds the new lines.
    const onData = () => void check();
    const timer = setTimeout(() => {
      stream.off('data', onData);
      reject(new Error(`no stderr line matching ${pattern} within ${timeoutMs} ms:\n${server.stderr.join('\n')}`));
    }, timeoutMs);
    if (!check()) stream.on('data', onData);
  });
}
