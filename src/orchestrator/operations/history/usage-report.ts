import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { UsageRow } from '../../../store/port.js';
import type { OperationDeps } from '../deps.js';
import { requireThread } from '../read-thread.js';

type UsageBucket = ResultOf<'usage/report'>['total'];

/**
 * `usage/report`: the store groups and sums ended turns created in [since, until] (one SQL
 * GROUP BY, not every turn loaded); here each group gets its rates and the total is their sum.
 * Instants are compared in the store's own form (`toISOString`), so `+02:00` offsets work.
 */
export async function usageReport(d: OperationDeps, p: ParsedParamsOf<'usage/report'>): Promise<ResultOf<'usage/report'>> {
  return await d.store.read(async (tx) => {
    if (p.threadId !== undefined) await requireThread(tx, p.threadId);
    const rows = await tx.reports.usage(p.groupBy, {
      since: p.since === undefined ? undefined : new Date(p.since).toISOString(),
      until: p.until === undefined ? undefined : new Date(p.until).toISOString(),
      threadId: p.threadId,
    });
    const total = rows.reduce<UsageRow>(
      (sum, r) => ({
        key: 'total',
        turns: sum.turns + r.turns,
        inputTokens: sum.inputTokens + r.inputTokens,
        cachedInputTokens: sum.cachedInputTokens + r.cachedInputTokens,
        outputTokens: sum.outputTokens + r.outputTokens,
        reasoningTokens: sum.reasoningTokens + r.reasoningTokens,
        costUsd: r.costUsd === null ? sum.costUsd : (sum.costUsd ?? 0) + r.costUsd,
      }),
      { key: 'total', turns: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, costUsd: null },
    );
    return { buckets: rows.map(bucket), total: bucket(total) };
  });
}

function bucket(r: UsageRow): UsageBucket {
  return { ...r, cacheHitRate: r.inputTokens === 0 ? null : r.cachedInputTokens / r.inputTokens };
}
