import type { Preparer } from '../lazy-statements.js';
import type { RoutingRule } from '@threadline/protocol';
import type { RoutingReads, RoutingWrites } from '../../port.js';
import type { Sync } from '../settled.js';

export function routingTable(db: Preparer): Sync<RoutingReads & RoutingWrites> {
  const list = db.prepare<[], RoutingRule>('SELECT intent, model FROM routing_rules ORDER BY position');
  const clear = db.prepare('DELETE FROM routing_rules');
  const insert = db.prepare('INSERT INTO routing_rules (position, intent, model) VALUES (?, ?, ?)');
  return {
    list: (): RoutingRule[] => list.all(),
    replace: (rules: RoutingRule[]) => {
      clear.run();
      rules.forEach((r, i) => insert.run(i + 1, r.intent, r.model));
    },
    // Compared in JavaScript: SQLite's lower() folds ASCII letters only, and "Éclair" must match "éclair".
    // At most 1000 rules (the protocol's limit): one pass over them.
    modelForIntent: (intent: string): string | undefined => {
      const wanted = intent.toLowerCase();
      return list.all().find((r) => r.intent.toLowerCase() === wanted)?.model;
    },
  };
}
