import type { BenchContext } from './context.js';

/**
 * On Postgres: how many statements the server ran per operation from now on (BEGIN and COMMIT
 * count; several statements sent in one query string count one each though they are one round
 * trip). Call the result with what was done since; it logs. Nothing on SQLite.
 */
export async function statementsPer(ctx: BenchContext, db: string): Promise<(row: string, what: string, operations: number) => Promise<void>> {
  const pg = ctx.postgres;
  const before = pg && (await pg.statements(db));
  return async (row, what, operations) => {
    if (!pg || before === undefined || operations === 0) return;
    const after = await pg.statements(db);
    if (after === undefined) return;
    ctx.log(`${row}: ${((after - before) / operations).toFixed(1)} statements per ${what} (${operations} ${what}s, pg_stat_statements)`);
  };
}
