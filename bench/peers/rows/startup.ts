import { PROTOCOL_VERSION } from '@threadline/protocol';
import { spawnBaseline, spawnPeer, unlessCrashed, type Peer } from '../../lib/peer.js';
import { median } from '../../lib/stats.js';
import { serverArgs } from '../../lib/threadline.js';
import { CODEX_INIT, makeCodexHome, spawnCodex } from '../codex-client.js';
import { dbIn, type PeerRow, type PeersContext } from '../context.js';
import { threadlineArgs } from '../threadline-side.js';

export interface StartupResult {
  rows: PeerRow[];
  /** For the start-up work of issue 17: medians against a bare vscode-jsonrpc Node process. */
  baseline: {
    runs: number;
    bareInitialize: number;
    /** With the `openai` host pointed at the mock, as in the table. */
    threadline: { initialize: number; firstList: number };
    /** With the default `echo` host, as bench row 1 starts it: what the host choice costs. */
    threadlineEcho: { initialize: number; firstList: number };
  };
}

interface Timed {
  initialize: number;
  firstList: number | null;
}

/**
 * Spawn → `initialize` answered, and → the first `thread/list` answered right after it (what an
 * IDE shows first), median of ≥ 20 spawns per system. Each round spawns the bare baseline,
 * Threadline (openai host, then the default echo host) and Codex one after the other, so drift
 * of the shared machine hits all alike. All open existing state (a warm-up start created it), as
 * every start after the first does.
 */
export async function measureStartup(ctx: PeersContext): Promise<StartupResult> {
  const runs = ctx.quick ? 7 : 21;
  const db = dbIn(ctx, 'startup');
  const home = makeCodexHome(ctx.tmp, 'startup', ctx.network);
  const tlParams = { protocolVersion: PROTOCOL_VERSION, clientInfo: { name: 'bench' } };

  const time = async (spawn: () => Peer, what: string, init: (p: Peer) => Promise<unknown>, list: ((p: Peer) => Promise<unknown>) | null): Promise<Timed> => {
    const start = performance.now();
    const peer = spawn();
    try {
      peer.connection.listen();
      await unlessCrashed(peer, what, init(peer));
      const initialize = performance.now() - start;
      if (!list) return { initialize, firstList: null };
      await unlessCrashed(peer, what, list(peer));
      return { initialize, firstList: performance.now() - start };
    } finally {
      await peer.kill(); // SIGKILL (Codex: its whole group); the timings are already taken
    }
  };
  const bare = () => time(() => spawnBaseline('bare-server'), 'bare-server', (p) => p.connection.sendRequest('initialize', tlParams), null);
  const threadline = (host: 'openai' | 'echo' = 'openai') =>
    time(
      () => spawnPeer(serverArgs(host === 'openai' ? { db, args: threadlineArgs(ctx.mock.baseUrl) } : { db: dbIn(ctx, 'startup-echo') })),
      'threadline',
      (p) => p.connection.sendRequest('initialize', tlParams),
      (p) => p.connection.sendRequest('thread/list', {}),
    );
  const codex = () =>
    time(
      () => spawnCodex(ctx.codexBinary, home),
      'codex app-server',
      (p) => p.connection.sendRequest('initialize', CODEX_INIT),
      async (p) => {
        await p.connection.sendNotification('initialized');
        return p.connection.sendRequest('thread/list', { limit: 50 });
      },
    );

  // Warm-ups (not counted): create the database and CODEX_HOME's state, fill the page cache.
  await threadline();
  await threadline('echo');
  await codex();
  await bare();
  const samples = { bare: [] as number[], tlInit: [] as number[], tlList: [] as number[], echoInit: [] as number[], echoList: [] as number[], cxInit: [] as number[], cxList: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.bare.push((await bare()).initialize);
    const t = await threadline();
    samples.tlInit.push(t.initialize);
    samples.tlList.push(t.firstList!);
    const e = await threadline('echo');
    samples.echoInit.push(e.initialize);
    samples.echoList.push(e.firstList!);
    const c = await codex();
    samples.cxInit.push(c.initialize);
    samples.cxList.push(c.firstList!);
  }
  const m = (xs: number[]) => median(xs);
  return {
    rows: [
      { figure: `spawn → initialize answered (median of ${runs})`, unit: 'ms', threadline: m(samples.tlInit), codex: m(samples.cxInit) },
      { figure: `spawn → first thread/list answered (median of ${runs})`, unit: 'ms', threadline: m(samples.tlList), codex: m(samples.cxList) },
    ],
    baseline: {
      runs,
      bareInitialize: m(samples.bare),
      threadline: { initialize: m(samples.tlInit), firstList: m(samples.tlList) },
      threadlineEcho: { initialize: m(samples.echoInit), firstList: m(samples.echoList) },
    },
  };
}
