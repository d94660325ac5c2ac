import { PROTOCOL_VERSION } from '@threadline/protocol';
import { dbPath, profileName, type BenchContext } from '../lib/context.js';
import { spawnBaseline, spawnPeer, unlessCrashed, type Peer } from '../lib/peer.js';
import { row, type Row } from '../lib/results.js';
import { median } from '../lib/stats.js';
import { serverArgs } from '../lib/threadline.js';

/**
 * Row 1: spawn → `initialize` answered, and → the first `thread/list` answered right after it
 * (what an IDE shows first), median of 20, against a bare vscode-jsonrpc server answering one
 * request (issue 17: both within 1.15× of it). Threadline opens an existing database (created by
 * a warm-up start), as an IDE's second and later starts do. Spawns alternate so drift hits both
 * sides alike.
 */
export async function measureSpawnInitialize(ctx: BenchContext): Promise<Row[]> {
  const runs = ctx.quick ? 7 : 20;
  const db = dbPath(ctx, 'spawn');
  const startThreadline = (profile?: string) => spawnPeer(serverArgs({ db, profile }));
  const params = { protocolVersion: PROTOCOL_VERSION, clientInfo: { name: 'bench' } };

  /** Spawn → initialize answered, and (Threadline) → a first thread/list answered after it. */
  const timeOne = async (spawn: () => Peer, what: string, list = false): Promise<[number, number]> => {
    const start = performance.now();
    const peer = spawn();
    peer.connection.listen();
    await unlessCrashed(peer, what, peer.connection.sendRequest('initialize', params));
    const ms = performance.now() - start;
    if (list) await unlessCrashed(peer, what, peer.connection.sendRequest('thread/list', {}));
    const listMs = performance.now() - start;
    await unlessCrashed(peer, what, peer.connection.sendRequest('shutdown'));
    await peer.connection.sendNotification('exit');
    await peer.exited;
    peer.connection.dispose();
    return [ms, listMs];
  };

  await timeOne(() => startThreadline(), 'threadline'); // creates the database
  await timeOne(() => spawnBaseline('bare-server'), 'bare-server');
  const server: number[] = [];
  const firstList: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    bare.push((await timeOne(() => spawnBaseline('bare-server'), 'bare-server'))[0]);
    const [init, list] = await timeOne(() => startThreadline(), 'threadline', true);
    server.push(init);
    firstList.push(list);
  }
  const profile = profileName(ctx, 'row1-spawn');
  if (profile) await timeOne(() => startThreadline(profile), 'threadline'); // not counted
  return [
    row(`1 spawn → initialize answered (median of ${runs})`, median(server), 'ms', median(bare), { atMost: 1.15 }),
    row(`1 spawn → first thread/list answered (median of ${runs})`, median(firstList), 'ms', median(bare), { atMost: 1.15 }),
  ];
}
