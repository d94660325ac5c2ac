import type Database from 'better-sqlite3';
import type { RoutingRule } from '@threadline/protocol';
import type { RoutingReads, RoutingWrites } from '../../port.js';

export function routingTable(db: Database.Database): RoutingReads & RoutingWrites {
  const list = db.prepare<[], RoutingRule>('SELECT intent, model FROM routing_rules ORDER BY position');
  const clear = db.prepare('DELETE FROM routing_rules');
  const insert = db.prepare('INSERT INTO routing_rules (position, intent, model) VALUES (?, ?, ?)');
  const match = db.prepare<[string], { model: string }>(
    'SELECT model FROM routing_rules WHERE lower(intent) = lower(?) ORDER BY position LIMIT 1',
  );
  return {
    list: (): RoutingRule[] => list.all(),
    replace: (rules: RoutingRule[]) => {
      clear.run();
      rules.forEach((r, i) => insert.run(i + 1, r.intent, r.model));
    },
    modelForIntent: (intent: string): string | undefined => match.get(intent)?.model,
  };
}
