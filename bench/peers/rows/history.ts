import { median } from '../../lib/stats.js';
import type { PeerRow, PeersContext } from '../context.js';
import type { Side } from '../side.js';
import { alternate, startBoth } from './workload.js';

/** Runs `count` jobs, `lanes` at a time. */
async function inLanes(count: number, lanes: number, job: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: lanes }, async () => {
    while (next < count) await job(next++);
  }));
}

/**
 * History at size, built through each system's own protocol (no fixture written behind its back):
 * N threads of one trivial turn each, listed in full (pages of 200); and one thread of 200
 * trivial turns, read back with every turn and item (Threadline `thread/export`, Codex
 * `thread/read` with `includeTurns`).
 */
export async function measureHistory(ctx: PeersContext): Promise<PeerRow[]> {
  const threads = ctx.quick ? 200 : 1000;
  const turns = ctx.quick ? 50 : 200;
  const sides = await startBoth(ctx, 'history');
  try {
    const longThreads: string[] = [];
    for (const side of sides) {
      const start = performance.now();
      await inLanes(threads, 4, async () => side.runTurn(await side.startThread(), 'ping'));
      const id = await side.startThread(); // the long thread is one of the listed ones, so list N + 1
      for (let i = 0; i < turns; i++) await side.runTurn(id, `turn ${i}`);
      longThreads.push(id);
      ctx.log(`history: ${side.name} built ${threads + 1} threads and a ${turns}-turn thread in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    }
    const expectCount = (what: string, expected: number) => (side: Side, n: number) => {
      if (n !== expected) throw new Error(`${side.name} ${what} returned ${n}, expected ${expected}`);
    };
    const listRounds = ctx.quick ? 5 : 15;
    const [tlList, cxList] = await alternate(sides, listRounds, (s) => s.listAll(), expectCount('listing', threads + 1));
    const [tlList2, cxIndexed] = await alternate(sides, listRounds, (s) => s.listAll({ indexed: true }), expectCount('indexed listing', threads + 1));
    const readRounds = ctx.quick ? 5 : 20;
    const [tlRead, cxRead] = await alternate(sides, readRounds, (s) => s.readThread(longThreads[sides.indexOf(s)]!), expectCount('read', turns));
    return [
      { figure: `list all ${(threads + 1).toLocaleString('en-US')} threads, pages of 200 (median of ${listRounds})`, unit: 'ms', threadline: median(tlList), codex: median(cxList) },
      {
        figure: `list all ${(threads + 1).toLocaleString('en-US')} threads, Codex with useStateDbOnly (median of ${listRounds})`,
        unit: 'ms',
        threadline: median(tlList2),
        codex: median(cxIndexed),
        note: 'Codex reads its SQLite index only, skipping the scan of its JSONL rollouts that its default listing does; Threadline has one listing',
      },
      { figure: `read back a ${turns}-turn thread with its items (median of ${readRounds})`, unit: 'ms', threadline: median(tlRead), codex: median(cxRead) },
    ];
  } finally {
    for (const s of sides) await s.close();
  }
}
