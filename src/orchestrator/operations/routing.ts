import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

export async function getRules(d: OperationDeps): Promise<ResultOf<'routing/getRules'>> {
  return { rules: await d.store.read(async (tx) => await tx.routing.list()) };
}

export async function setRules(d: OperationDeps, p: ParsedParamsOf<'routing/setRules'>): Promise<ResultOf<'routing/setRules'>> {
  return await d.commit(async (tx) => {
    await tx.routing.replace(p.rules);
    return { rules: await tx.routing.list() };
  });
}
