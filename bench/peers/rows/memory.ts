import { rssMb, sleep } from '../../lib/rss.js';
import { median } from '../../lib/stats.js';
import { makeCodexHome, startCodex } from '../codex-client.js';
import { dbIn, type PeerRow, type PeersContext } from '../context.js';
import { groupRssMb } from '../group-rss.js';
import { startThreadline } from '../threadline-side.js';

const SETTLE_MS = 1000;

/**
 * RSS after `initialize` and a settling second, median of 3 alternating starts. Codex's figure
 * sums its whole process group (helpers included); Threadline runs as one process.
 */
export async function measureIdleMemory(ctx: PeersContext): Promise<PeerRow[]> {
  const tl: number[] = [];
  const cx: number[] = [];
  let codexProcesses = 0;
  for (let i = 0; i < 3; i++) {
    const t = await startThreadline(dbIn(ctx, `memory-${i}`), ctx.mock.baseUrl);
    await sleep(SETTLE_MS);
    tl.push(rssMb(t.pid) ?? NaN);
    await t.close();
    const c = await startCodex(ctx.codexBinary, makeCodexHome(ctx.tmp, `memory-${i}`, ctx.network));
    await sleep(SETTLE_MS);
    const g = groupRssMb(c.pid);
    cx.push(g.mb);
    codexProcesses = Math.max(codexProcesses, g.processes);
    await c.close();
  }
  return [
    {
      figure: 'idle RSS after initialize (median of 3)',
      unit: 'MB',
      threadline: median(tl),
      codex: median(cx),
      note: `Codex: ${codexProcesses} process(es) in its group`,
    },
  ];
}
