import { dbPath, type BenchContext } from './context.js';
import { spawnBaseline, type Peer } from './peer.js';
import { sequentialSlice, type Slice } from './stats.js';

export type Synchronous = 'FULL' | 'NORMAL';

export interface CommitBaseline {
  peer: Peer;
  /** Sequential requests, each one vscode-jsonrpc request + one single-row commit. */
  slice: Slice;
}

/**
 * The raw baseline of rows 2-4: a vscode-jsonrpc server whose every request is one single-row
 * SQLite commit (WAL) at `synchronous`, answered after COMMIT. Each row runs it beside the
 * server, in alternating slices.
 */
export function startCommitBaseline(ctx: BenchContext, synchronous: Synchronous, name: string): CommitBaseline {
  const peer = spawnBaseline('commit-server', [dbPath(ctx, `baseline-${name}`), synchronous]);
  peer.connection.listen();
  const params = { threadId: 'thr_baseline', prompt: 'queued prompt' };
  return { peer, slice: sequentialSlice(() => peer.connection.sendRequest('commit', params)) };
}
