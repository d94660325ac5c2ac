import type { RoutingRule } from '@threadline/protocol';
import type { RoutingReads, RoutingWrites } from '../../port.js';
import type { Ctx } from '../db.js';

/** The advisory lock that makes two servers' replacements of the rules one after the other. */
const ROUTING_LOCK = 0x7472_0001;

export function routingTable({ sql }: Ctx): RoutingReads & RoutingWrites {
  const list = () => sql.rows<RoutingRule>('SELECT intent, model FROM routing_rules ORDER BY position');
  return {
    list,
    replace: async (rules: RoutingRule[]) => {
      await sql.run('SELECT pg_advisory_xact_lock($1)', [ROUTING_LOCK]);
      await sql.run('DELETE FROM routing_rules');
      if (rules.length === 0) return;
      await sql.run(
        'INSERT INTO routing_rules (position, intent, model) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])',
        [rules.map((_, i) => i + 1), rules.map((r) => r.intent), rules.map((r) => r.model)],
      );
    },
    // Compared in JavaScript, as the SQLite adapter does: one folding rule for both ("Éclair" = "éclair").
    modelForIntent: async (intent: string): Promise<string | undefined> => {
      const wanted = intent.toLowerCase();
      return (await list()).find((r) => r.intent.toLowerCase() === wanted)?.model;
    },
  };
}
