import { dbPath, type BenchContext } from './context.js';
import { spawnBaseline, type Peer } from './peer.js';
import { sequentialSlice, type Slice } from './stats.js';

export type Synchronous = 'FULL' | 'NORMAL';

export interface CommitBaseline {
  peer: Peer;
  /** Sequential requests, each one vscode-jsonrpc request + one single-row commit. */
  slice: Slice;
  /** What one request commits to: "SQLite FULL", "Postgres". */
  label: string;
}

/**
 * The raw baseline of rows 2-4: a vscode-jsonrpc server whose every request is one single-row
 * commit, answered after COMMIT: SQLite (WAL) at `synchronous`, or with `--db postgres` one
 * INSERT on the same Postgres server as Threadline's (a database of its own; `synchronous`
 * does not apply there: the server's configuration decides). Each row runs it beside the
 * server, in alternating slices.
 */
export async function startCommitBaseline(ctx: BenchContext, synchronous: Synchronous, name: string): Promise<CommitBaseline> {
  const peer = ctx.postgres
    ? spawnBaseline('pg-commit-server', [await ctx.postgres.database(`baseline_${name}`)])
    : spawnBaseline('commit-server', [dbPath(ctx, `baseline-${name}`), synchronous]);
  peer.connection.listen();
  const params = { threadId: 'thr_baseline', prompt: 'queued prompt' };
  const label = ctx.postgres ? 'Postgres' : `SQLite ${synchronous}`;
  return { peer, label, slice: sequentialSlice(() => peer.connection.sendRequest('commit', params)) };
}

/**
 * Row 2's floor: a vscode-jsonrpc server whose every request writes what an admission must (the
 * inbox row, the thread's counters, the event) on Threadline's schema, and notifies the event.
 */
export function startAdmissionFloor(ctx: BenchContext, synchronous: Synchronous, name: string): { peer: Peer; slice: Slice } {
  const peer = spawnBaseline('admission-floor-server', [dbPath(ctx, `floor-${name}`), synchronous]);
  peer.connection.listen();
  const params = { prompt: 'queued prompt' };
  return { peer, slice: sequentialSlice(() => peer.connection.sendRequest('admit', params)) };
}

/**
 * Row 3's floor: a vscode-jsonrpc server whose `start` + `wait` write what a one-word turn must
 * (its two commits) on Threadline's schema, and notify its events.
 */
export function startTurnFloor(ctx: BenchContext, synchronous: Synchronous, name: string): { peer: Peer; slice: Slice } {
  const peer = spawnBaseline('turn-floor-server', [dbPath(ctx, `floor-${name}`), synchronous]);
  peer.connection.listen();
  const params = { prompt: 'hello' };
  return {
    peer,
    slice: sequentialSlice(async () => {
      const { turn } = await peer.connection.sendRequest<{ turn: { id: string } }>('start', params);
      await peer.connection.sendRequest('wait', { turnId: turn.id });
    }),
  };
}
