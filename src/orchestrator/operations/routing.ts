import type { ParsedParamsOf, ResultOf } from '@threadline/protocol';
import type { OperationDeps } from './deps.js';

export function getRules(d: OperationDeps): ResultOf<'routing/getRules'> {
  return { rules: d.store.read((tx) => tx.routing.list()) };
}

export function setRules(d: OperationDeps, p: ParsedParamsOf<'routing/setRules'>): ResultOf<'routing/setRules'> {
  return d.commit((tx) => {
    tx.routing.replace(p.rules);
    return { rules: tx.routing.list() };
  });
}
