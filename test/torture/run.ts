import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ThreadlineError, type ThreadlineClient } from '@threadline/protocol';
import { spawnThreadline, type SpawnedThreadline } from '@threadline/protocol/node';
import { BIN } from '../helpers/server.js';
import { Checker, checkReceived, checkStore } from './invariants.js';
import { Ledger, Received } from './ledger.js';
import { Load } from './load.js';
import { Rng } from './rng.js';

export interface TortureOptions {
  seed: number;
  kills: number;
  durability: 'full' | 'normal';
  /** How long load runs before a kill: uniform in [min, max] ms. */
  loadMs: [number, number];
  workers: number;
  /** The database: a postgres:// URL of an empty database; default a new SQLite file. */
  db?: string;
  /** Progress lines (one per kill); default: silent. */
  log?: (line: string) => void;
}

export interface TortureReport {
  seed: number;
  durability: 'full' | 'normal';
  kills: number;
  operations: number;
  checksPassed: number;
  failures: string[];
  dbPath: string;
}

/**
 * Kill -9 torture (issue 5 §2): mixed load against one server on one file, SIGKILL at a random
 * instant — sometimes before `initialize` is answered, i.e. during recovery — then restart on
 * the same file and check every invariant, and after the last kill drain every thread and
 * check that each admitted prompt has exactly one turn or is cancelled.
 */
export async function runTorture(o: TortureOptions): Promise<TortureReport> {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-torture-'));
  const dbPath = o.db ?? join(dir, 'torture.db');
  const rng = new Rng(o.seed);
  const ledger = new Ledger();
  const violations: string[] = [];
  let phase = 'start';
  const checker = new Checker(() => `seed ${o.seed}, ${o.durability}, ${phase}`);
  let operations = 0;
  let kills = 0;
  let previous: Received | undefined;
  let stderrTail: string[] = [];
  const spawnServer = () => spawn(dbPath, o.durability, (lines) => (stderrTail = lines));
  try {
    while (kills < o.kills && checker.failures.length === 0 && violations.length === 0) {
      phase = `incarnation ${kills + 1}`;
      const round = rng.fork(kills);
      const server = await spawnServer();
      const early = round.chance(0.1);
      if (early) {
        // Kill during start-up: recovery may be half done; nothing may be lost or half-written.
        await sleep(round.int(0, 40));
        await killServer(server);
      } else {
        const received = new Received();
        const load = new Load(server.client, ledger, round.fork(1), violations);
        server.client.onEvent((event) => {
          received.add(event);
          load.observe(event);
        });
        await server.client.initialize({ clientInfo: { name: 'torture' } });
        await checkStore(dbPath, ledger, checker, 'recovered');
        if (previous) await checkReceived(server.client, previous, checker);
        previous = received;
        const running = load.run(o.workers);
        await sleep(round.int(o.loadMs[0], o.loadMs[1]));
        load.stop();
        await killServer(server);
        await running;
        operations += load.stats.operations;
      }
      kills++;
      phase = `after kill ${kills}`;
      // An ERROR line means a bug (test/helpers/server.ts holds every test to the same rule).
      for (const line of stderrTail.filter((l) => l.includes(' ERROR '))) violations.push(`the server logged: ${line.slice(0, 2000)}`);
      await checkStore(dbPath, ledger, checker, 'crashed');
      o.log?.(`kill ${kills}/${o.kills}${early ? ' (during start-up)' : ''}: ${operations} operations, ${checker.passed} checks passed`);
    }
    if (checker.failures.length === 0 && violations.length === 0) {
      phase = 'final drain';
      const server = await spawnServer();
      await server.client.initialize({ clientInfo: { name: 'torture' } });
      await checkStore(dbPath, ledger, checker, 'recovered');
      if (previous) await checkReceived(server.client, previous, checker);
      operations += await drainAll(server.client, [...ledger.threads]);
      await server.close();
      checker.check((await server.exited).code === 0, 'the server exits 0 after shutdown');
      for (const line of stderrTail.filter((l) => l.includes(' ERROR '))) violations.push(`the server logged: ${line.slice(0, 2000)}`);
      await checkStore(dbPath, ledger, checker, 'final');
    }
  } catch (error) {
    violations.push(`${phase}: ${(error as Error).stack ?? String(error)}`);
  }
  const failures = [...violations.map((v) => `seed ${o.seed}, ${o.durability}, ${phase}: ${v}`), ...checker.failures];
  if (failures.length > 0 && stderrTail.length > 0) failures.push(`last server stderr:\n${stderrTail.slice(-20).join('\n')}`);
  else rmSync(dir, { recursive: true, force: true });
  return { seed: o.seed, durability: o.durability, kills, operations, checksPassed: checker.passed, failures, dbPath };
}

async function spawn(dbPath: string, durability: string, onStderr: (lines: string[]) => void): Promise<SpawnedThreadline> {
  const server = await spawnThreadline({
    bin: BIN,
    args: ['--db', dbPath, '--durability', durability, '--log-level', 'warn', '--max-queued', '20'],
    stderr: 'pipe',
    initialize: false,
  });
  const lines: string[] = [];
  onStderr(lines);
  server.process.stderr!.setEncoding('utf8').on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)));
  return server;
}

async function killServer(server: SpawnedThreadline): Promise<void> {
  server.process.kill('SIGKILL');
  await server.exited;
  server.client.dispose(); // rejects whatever was still in flight
}

/**
 * Runs every thread's inbox dry: unarchive, drain, let each turn finish (or interrupt it when it
 * hangs, keeping the queue), until no thread runs and none has a pending prompt.
 */
async function drainAll(client: ThreadlineClient, threadIds: string[]): Promise<number> {
  let operations = 0;
  const request: ThreadlineClient['request'] = (...args) => {
    operations++;
    return client.request(...args);
  };
  for (const threadId of threadIds) {
    const { thread } = await request('thread/get', { threadId });
    if (thread.archived) await request('thread/unarchive', { threadId });
    for (let round = 0; ; round++) {
      if (round > 1000) throw new Error(`thread ${threadId} does not drain`);
      const { thread: now } = await request('thread/get', { threadId });
      let running = now.status === 'running' ? now.latestTurnId : undefined;
      if (!running) {
        const drained = await request('thread/drain', { threadId }).catch((error: unknown) => {
          if (error instanceof ThreadlineError && error.code === -32020) return { turn: null, remaining: 1 };
          throw error;
        });
        if (!drained.turn && drained.remaining === 0) break;
        running = drained.turn?.id;
      }
      if (!running) continue;
      const { turn } = await request('turn/get', { turnId: running });
      const hangs = turn.status === 'in_progress' && turn.inputSummary.includes('!hang');
      const ended = hangs ? false : await request('turn/wait', { turnId: running, timeoutMs: 2000 }).then(() => true, () => false);
      if (!ended) await request('thread/interrupt', { threadId, turnId: running, keepQueued: true }).catch(() => undefined);
    }
  }
  return operations;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
