import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ThreadlineError, type ThreadlineClient } from '@threadline/protocol';
import { startServer } from '../helpers/server.js';

// Model-based testing (fast-check): random command sequences over a few threads run against the
// spawned server and against a small in-memory model of PROTOCOL.md §4. Every turn is `!hang`,
// so a turn runs until interrupted and the state after each call is deterministic. Results,
// error codes and the final state must agree. Counterexamples found are in thread-model-cases.

const MAX_QUEUED = 3;
const HANG = '!hang\nmodel turn';
const UNKNOWN_TURN = 'turn_00000000-0000-7000-8000-000000000000';
const UNKNOWN_ADMISSION = 'inp_00000000-0000-7000-8000-000000000000';

interface MTurn { id: string; status: 'in_progress' | 'interrupted' | 'failed'; supersededBy?: string; steerCount: number }
interface MThread {
  id: string;
  archived: boolean;
  deleted: boolean;
  running: string | null;
  pending: string[];
  turns: MTurn[];
  gone: string[];
  /** Answered startTurns sent with a clientRequestId: what a repeat must answer again. */
  requests: { clientRequestId: string; delivery?: 'queue' | 'steer'; turnId: string; admissionId: string | null }[];
}
interface Model { threads: MThread[] }
interface Real { client: ThreadlineClient }

/** The call's outcome: its result, or the code of the error it was answered with. */
async function outcome<T>(call: Promise<T>): Promise<{ ok: T } | { code: number; data?: Record<string, unknown> }> {
  try {
    return { ok: await call };
  } catch (error) {
    if (error instanceof ThreadlineError) return { code: error.code, data: error.data };
    throw error;
  }
}

function expectCode(got: { ok: unknown } | { code: number }, code: number, what: string): void {
  assert.deepStrictEqual('code' in got ? got.code : got, code, `${what}: expected error ${code}`);
}

function expectOk<T>(got: { ok: T } | { code: number }, what: string): T {
  assert.ok('ok' in got, `${what}: expected a result, got error ${'code' in got ? got.code : ''}`);
  return got.ok;
}

const thread = (m: Model, i: number): MThread => m.threads[i % m.threads.length]!;
const turnOf = (t: MThread, id: string | null) => t.turns.find((turn) => turn.id === id);

class CreateThread implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.threads.length < 3;
  async run(m: Model, r: Real) {
    const { thread: created } = await r.client.request('thread/create', { title: 'model' });
    assert.deepStrictEqual([created.status, created.archived, created.queuedCount, created.lastSeq], ['idle', false, 0, 1]);
    m.threads.push({ id: created.id, archived: false, deleted: false, running: null, pending: [], turns: [], gone: [], requests: [] });
  }
  toString = () => 'create';
}

/** A new turn started by the server: the model records it as running. */
function started(t: MThread, id: string): void {
  t.turns.push({ id, status: 'in_progress', steerCount: 0 });
  t.running = id;
}

let requestCounter = 0;

class StartTurn implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly delivery: 'queue' | 'steer' | undefined, readonly expected: 'none' | 'running' | 'stale') {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const expectedTurnId = this.expected === 'none' ? undefined : this.expected === 'running' && t.running ? t.running : UNKNOWN_TURN;
    const clientRequestId = `k${++requestCounter}`;
    const got = await outcome(r.client.request('thread/startTurn', { threadId: t.id, prompt: HANG, delivery: this.delivery, expectedTurnId, clientRequestId }));
    const what = this.toString();
    if (t.deleted) return expectCode(got, -32001, what);
    if ('ok' in got) t.requests.push({ clientRequestId, delivery: this.delivery, turnId: got.ok.turn.id, admissionId: got.ok.queued?.id ?? null });
    if (t.archived) return expectCode(got, -32012, what);
    if (expectedTurnId !== undefined && expectedTurnId !== t.running) return expectCode(got, -32014, what);
    if (t.running === null) {
      const { turn, queued } = expectOk(got, what);
      assert.equal(turn.status, 'in_progress');
      if (t.pending.length === 0) assert.equal(queued, null, what);
      else {
        assert.deepStrictEqual([queued?.state, queued?.prompt], ['pending', HANG.trim()], what);
        t.pending.push(queued!.id);
        t.gone.push(t.pending.shift()!);
      }
      return started(t, turn.id);
    }
    if (this.delivery === undefined) return expectCode(got, -32010, what);
    if (this.delivery === 'steer') {
      const { turn, queued } = expectOk(got, what);
      const running = turnOf(t, t.running)!;
      running.steerCount++;
      assert.deepStrictEqual([turn.id, turn.status, turn.steerCount, queued], [running.id, 'in_progress', running.steerCount, null], what);
      return;
    }
    if (t.pending.length >= MAX_QUEUED) return expectCode(got, -32015, what);
    const { turn, queued } = expectOk(got, what);
    assert.deepStrictEqual([turn.id, queued?.state], [t.running, 'pending'], what);
    t.pending.push(queued!.id);
  }
  toString = () => `startTurn(${this.i}, ${this.delivery ?? '-'}, expected ${this.expected})`;
}

/** A startTurn repeated with the clientRequestId of an answered one: the first answer again, nothing admitted. */
class Repeat implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly j: number) {}
  check = (m: Readonly<Model>) => m.threads.length > 0 && thread(m as Model, this.i).requests.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const first = t.requests[this.j % t.requests.length]!;
    const got = await outcome(r.client.request('thread/startTurn', { threadId: t.id, prompt: HANG, delivery: first.delivery, clientRequestId: first.clientRequestId }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    const { turn, queued } = expectOk(got, this.toString());
    assert.deepStrictEqual([turn.id, queued?.id ?? null], [first.turnId, first.admissionId], this.toString());
    const state = t.pending.includes(first.admissionId ?? '') ? 'pending' : undefined;
    if (state) assert.equal(queued?.state, state, this.toString());
  }
  toString = () => `repeat(${this.i}, ${this.j})`;
}

class DeleteThread implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const got = await outcome(r.client.request('thread/delete', { threadId: t.id }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    if (t.running !== null) return expectCode(got, -32010, this.toString());
    assert.deepStrictEqual(expectOk(got, this.toString()), { deleted: true });
    t.deleted = true;
  }
  toString = () => `delete(${this.i})`;
}

/**
 * A prompt the echo engine refuses to start (-32020, the turn persisted `failed`). Only sent
 * where it cannot enter the inbox, so no failing prompt is ever promoted later on its own.
 */
class FailStart implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.threads.length > 0 && (thread(m as Model, this.i).archived || thread(m as Model, this.i).running !== null || thread(m as Model, this.i).pending.length === 0);
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const got = await outcome(r.client.request('thread/startTurn', { threadId: t.id, prompt: '!fail-start model says no' }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    if (t.archived) return expectCode(got, -32012, this.toString());
    if (t.running !== null) return expectCode(got, -32010, this.toString());
    expectCode(got, -32020, this.toString());
    const turnId = 'data' in got ? got.data?.turnId : undefined;
    assert.equal(typeof turnId, 'string');
    t.turns.push({ id: turnId as string, status: 'failed', steerCount: 0 });
  }
  toString = () => `failStart(${this.i})`;
}

class Interrupt implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly keepQueued: boolean, readonly pin: 'none' | 'running' | 'stale' | 'unknown') {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const stale = m.threads.filter((x) => !x.deleted).flatMap((x) => x.turns).find((turn) => turn.status !== 'in_progress');
    const turnId = { none: undefined, running: t.running ?? undefined, stale: stale?.id, unknown: UNKNOWN_TURN }[this.pin];
    const got = await outcome(r.client.request('thread/interrupt', { threadId: t.id, keepQueued: this.keepQueued, turnId }));
    const what = this.toString();
    if (t.deleted) return expectCode(got, -32001, what);
    if (turnId === UNKNOWN_TURN) return expectCode(got, -32003, what);
    if (turnId !== undefined && turnId !== t.running) return expectCode(got, -32014, what);
    const { turn, cancelled } = expectOk(got, what);
    if (t.running === null) return assert.deepStrictEqual({ turn, cancelled }, { turn: null, cancelled: [] }, what);
    const running = turnOf(t, t.running)!;
    running.status = 'interrupted';
    t.running = null;
    assert.deepStrictEqual([turn?.id, turn?.status], [running.id, 'interrupted'], what);
    const expected = this.keepQueued ? [] : t.pending.splice(0);
    t.gone.push(...expected);
    assert.deepStrictEqual(cancelled.map((a) => [a.id, a.state]), expected.map((id) => [id, 'cancelled']), what);
  }
  toString = () => `interrupt(${this.i}, keepQueued ${this.keepQueued}, turnId ${this.pin})`;
}

class Drain implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const got = await outcome(r.client.request('thread/drain', { threadId: t.id }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    if (t.archived) return expectCode(got, -32012, this.toString());
    const { turn, remaining } = expectOk(got, this.toString());
    if (t.running !== null || t.pending.length === 0) {
      return assert.deepStrictEqual({ turn, remaining }, { turn: null, remaining: t.pending.length }, this.toString());
    }
    t.gone.push(t.pending.shift()!);
    assert.deepStrictEqual([turn?.status, remaining], ['in_progress', t.pending.length], this.toString());
    started(t, turn!.id);
  }
  toString = () => `drain(${this.i})`;
}

class CancelQueued implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly pick: number | 'gone' | 'unknown') {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const admissionId =
      typeof this.pick === 'number' ? t.pending[this.pick % Math.max(1, t.pending.length)] : this.pick === 'gone' ? t.gone[0] : UNKNOWN_ADMISSION;
    if (admissionId === undefined) return;
    const got = await outcome(r.client.request('thread/cancelQueued', { threadId: t.id, admissionId }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    if (!t.pending.includes(admissionId)) return expectCode(got, -32004, this.toString());
    const { admission } = expectOk(got, this.toString());
    assert.deepStrictEqual([admission.id, admission.state], [admissionId, 'cancelled']);
    t.pending.splice(t.pending.indexOf(admissionId), 1);
    t.gone.push(admissionId);
  }
  toString = () => `cancelQueued(${this.i}, ${this.pick})`;
}

class SetArchived implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number, readonly archived: boolean) {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const got = await outcome(r.client.request(this.archived ? 'thread/archive' : 'thread/unarchive', { threadId: t.id }));
    if (t.deleted) return expectCode(got, -32001, this.toString());
    const { thread: after } = expectOk(got, this.toString());
    t.archived = this.archived;
    assert.deepStrictEqual([after.archived, after.status, after.queuedCount], [t.archived, t.running ? 'running' : 'idle', t.pending.length]);
  }
  toString = () => `${this.archived ? 'archive' : 'unarchive'}(${this.i})`;
}

class EditLastTurn implements fc.AsyncCommand<Model, Real> {
  constructor(readonly i: number) {}
  check = (m: Readonly<Model>) => m.threads.length > 0;
  async run(m: Model, r: Real) {
    const t = thread(m, this.i);
    const got = await outcome(r.client.request('thread/editLastTurn', { threadId: t.id, content: HANG }));
    const last = t.turns.filter((turn) => turn.supersededBy === undefined).at(-1);
    if (t.deleted) return expectCode(got, -32001, this.toString());
    if (t.archived) return expectCode(got, -32012, this.toString());
    if (t.running !== null) return expectCode(got, -32010, this.toString());
    if (!last) return expectCode(got, -32011, this.toString());
    const { turn, queued } = expectOk(got, this.toString());
    assert.deepStrictEqual([turn.status, queued], ['in_progress', null]);
    last.supersededBy = turn.id;
    started(t, turn.id);
  }
  toString = () => `editLastTurn(${this.i})`;
}

/** The server's view of every model thread equals the model's. */
async function assertSameState(m: Model, r: Real): Promise<void> {
  for (const t of m.threads) {
    if (t.deleted) {
      expectCode(await outcome(r.client.request('thread/get', { threadId: t.id })), -32001, `thread/get of deleted thread ${t.id}`);
      continue;
    }
    const got = await r.client.request('thread/get', { threadId: t.id, includeTurns: true });
    assert.deepStrictEqual(
      {
        status: got.thread.status,
        archived: got.thread.archived,
        queuedCount: got.thread.queuedCount,
        queued: got.queued.map((a) => a.id),
        latestTurnId: got.thread.latestTurnId,
        turns: got.turns!.map((turn) => ({ id: turn.id, status: turn.status, supersededBy: turn.supersededBy, steerCount: turn.steerCount })),
      },
      {
        status: t.running ? 'running' : 'idle',
        archived: t.archived,
        queuedCount: t.pending.length,
        queued: t.pending,
        latestTurnId: t.turns.at(-1)?.id,
        turns: t.turns.map((turn) => ({ id: turn.id, status: turn.status, supersededBy: turn.supersededBy, steerCount: turn.steerCount })),
      },
      `final state of thread ${t.id}`,
    );
  }
}

const index = fc.nat(2);
const COMMANDS = [
  fc.constant(new CreateThread()),
  fc.tuple(index, fc.constantFrom(undefined, 'queue' as const, 'steer' as const), fc.constantFrom('none' as const, 'running' as const, 'stale' as const)).map(([i, d, e]) => new StartTurn(i, d, e)),
  fc.tuple(index, fc.constantFrom(undefined, 'queue' as const, 'steer' as const)).map(([i, d]) => new StartTurn(i, d, 'none')),
  // Queueing weighs more, so that inboxes reach --max-queued.
  index.map((i) => new StartTurn(i, 'queue', 'none')),
  index.map((i) => new StartTurn(i, 'queue', 'none')),
  fc.tuple(index, fc.boolean(), fc.constantFrom('none' as const, 'running' as const, 'stale' as const, 'unknown' as const)).map(([i, k, p]) => new Interrupt(i, k, p)),
  index.map((i) => new Drain(i)),
  fc.tuple(index, fc.oneof(fc.nat(3), fc.constantFrom('gone' as const, 'unknown' as const))).map(([i, p]) => new CancelQueued(i, p)),
  fc.tuple(index, fc.boolean()).map(([i, a]) => new SetArchived(i, a)),
  index.map((i) => new EditLastTurn(i)),
  index.map((i) => new FailStart(i)),
  fc.tuple(index, fc.nat(9)).map(([i, j]) => new Repeat(i, j)),
  index.map((i) => new DeleteThread(i)),
];

/** Runs one command sequence on fresh threads of `client`, then interrupts what still runs. */
async function runModel(client: ThreadlineClient, commands: Iterable<fc.AsyncCommand<Model, Real>>): Promise<void> {
  const model: Model = { threads: [] };
  try {
    await fc.asyncModelRun(() => ({ model, real: { client } }), commands);
    await assertSameState(model, { client });
  } finally {
    for (const t of model.threads) if (t.running && !t.deleted) await client.request('thread/interrupt', { threadId: t.id }).catch(() => undefined);
  }
}

test('random command sequences over a few threads agree with the model of PROTOCOL.md §4: results, error codes and final state', async (t) => {
  const { client } = await startServer(t, { args: ['--max-queued', String(MAX_QUEUED)] });
  await fc.assert(
    fc.asyncProperty(fc.commands(COMMANDS, { maxCommands: 40, size: 'max' }), (commands) => runModel(client, commands)),
    { numRuns: Number(process.env.THREADLINE_FC_RUNS ?? 150), seed: Number(process.env.THREADLINE_FC_SEED ?? Date.now() % 2 ** 31) },
  );
});
