import { median } from '../../lib/stats.js';
import { makeCodexHome, startCodex } from '../codex-client.js';
import { dbIn, type PeerRow, type PeersContext } from '../context.js';
import type { Side } from '../side.js';
import { startThreadline } from '../threadline-side.js';

/** Times `op` on both sides in alternation (Threadline, Codex, Threadline, …); the samples. */
export async function alternate<T>(sides: readonly [Side, Side], rounds: number, op: (side: Side, i: number) => Promise<T>, check?: (side: Side, result: T) => void): Promise<[number[], number[]]> {
  const samples: [number[], number[]] = [[], []];
  for (let i = 0; i < rounds; i++) {
    for (const s of [0, 1] as const) {
      const start = performance.now();
      const result = await op(sides[s], i);
      samples[s].push(performance.now() - start);
      check?.(sides[s], result);
    }
  }
  return samples;
}

/** Both systems, started fresh against the mock model. */
export async function startBoth(ctx: PeersContext, name: string): Promise<[Side, Side]> {
  const threadline = await startThreadline(dbIn(ctx, name), ctx.mock.baseUrl);
  try {
    return [threadline, await startCodex(ctx.codexBinary, makeCodexHome(ctx.tmp, name, ctx.network))];
  } catch (error) {
    await threadline.close();
    throw error;
  }
}

/**
 * Thread creation, a trivial turn (prompt → one-word reply → turn completed), and a long streamed
 * reply (N deltas from the mock, turn start → completed with every delta seen by the client).
 */
export async function measureWorkload(ctx: PeersContext): Promise<PeerRow[]> {
  const sides = await startBoth(ctx, 'workload');
  try {
    const creates = ctx.quick ? 30 : 100;
    const [tlCreate, cxCreate] = await alternate(sides, creates, (s) => s.startThread());

    const turns = ctx.quick ? 10 : 40;
    const threads = await Promise.all(sides.map((s) => s.startThread()));
    await alternate(sides, 3, (s) => s.runTurn(threads[sides.indexOf(s)]!, 'warm up')); // not counted
    const [tlTurn, cxTurn] = await alternate(sides, turns, (s) => s.runTurn(threads[sides.indexOf(s)]!, 'ping'));

    const deltas = ctx.quick ? 5_000 : 20_000;
    const streams = ctx.quick ? 2 : 5;
    const seen: Record<string, string[]> = { Threadline: [], Codex: [] };
    const [tlLong, cxLong] = await alternate(
      sides,
      streams,
      async (s) => s.runTurn(await s.startThread(), `long ${deltas}`),
      (s, r) => {
        // The whole reply ("x " × N) must reach the client, however the server batches it.
        if (r.chars !== 2 * deltas) throw new Error(`${s.name} delivered ${r.chars} characters of a ${2 * deltas}-character reply`);
        seen[s.name]!.push(`${r.deltas} events`);
      },
    );
    ctx.log(`long reply: every turn delivered all ${2 * deltas} characters; delta events per turn: Threadline ${seen.Threadline!.join(', ')}; Codex ${seen.Codex!.join(', ')}`);
    return [
      { figure: `thread creation (median of ${creates})`, unit: 'ms', threadline: median(tlCreate), codex: median(cxCreate) },
      { figure: `trivial turn, start → completed (median of ${turns})`, unit: 'ms', threadline: median(tlTurn), codex: median(cxTurn) },
      {
        figure: `long streamed reply, ${deltas.toLocaleString('en-US')} deltas (median of ${streams})`,
        unit: 'ms',
        threadline: median(tlLong),
        codex: median(cxLong),
        note: `turn start → completed, every character checked; delta notifications the client got per reply: Threadline ${seen.Threadline![0]}, Codex ${seen.Codex![0]}`,
      },
    ];
  } finally {
    for (const s of sides) await s.close();
  }
}
