/** Small statistics over latency samples (milliseconds). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const median = (samples: readonly number[]) => percentile(samples, 50);

/** Runs for about `ms` and reports how many steps completed in how long. */
export type Slice = (ms: number) => Promise<{ count: number; ms: number }>;

/** A slice of `step` run sequentially. */
export const sequentialSlice =
  (step: () => Promise<unknown>): Slice =>
  async (ms) => {
    const start = performance.now();
    let count = 0;
    while (performance.now() - start < ms) {
      await step();
      count++;
    }
    return { count, ms: performance.now() - start };
  };

/** A slice of `lanes` concurrent sequential loops of `step`. */
export const concurrentSlice =
  (lanes: number, step: (lane: number) => Promise<unknown>): Slice =>
  async (ms) => {
    const start = performance.now();
    let count = 0;
    await Promise.all(
      Array.from({ length: lanes }, async (_, lane) => {
        while (performance.now() - start < ms) {
          await step(lane);
          count++;
        }
      }),
    );
    return { count, ms: performance.now() - start };
  };

/**
 * Rates/s of several workloads measured in alternating slices (A, B, …, A, B, …) for `totalMs`
 * each, so slow drifts of the machine (fsync latency on a shared disk varies a lot) hit all alike.
 */
export async function alternatingRates(totalMs: number, slices: readonly Slice[], sliceMs = 500): Promise<number[]> {
  for (const slice of slices) await slice(Math.min(200, sliceMs)); // warm-up, not counted
  const sum = slices.map(() => ({ count: 0, ms: 0 }));
  for (let spent = 0; spent < totalMs; spent += sliceMs) {
    for (const [i, slice] of slices.entries()) {
      const r = await slice(sliceMs);
      sum[i]!.count += r.count;
      sum[i]!.ms += r.ms;
    }
  }
  return sum.map((s) => s.count / (s.ms / 1000));
}
