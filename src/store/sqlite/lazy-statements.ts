import type Database from 'better-sqlite3';

/** What a table needs of the connection: statements. */
export type Preparer = Pick<Database.Database, 'prepare'>;

/**
 * Statements prepared on first use rather than when the store opens: the tables name about 90,
 * and a server's start (owner row, recovery, the first `thread/list`) runs a dozen of them —
 * preparing the rest at open was a few ms of every spawn before the first answer.
 * Each statement is prepared once; SQL that does not compile fails at its first use instead of
 * at open (the migrations' tests run every statement).
 */
export function lazyStatements(db: Database.Database): Preparer {
  return { prepare: ((source: string) => new LazyStatement(db, source)) as unknown as Preparer['prepare'] };
}

/** The part of better-sqlite3's Statement the tables use; `raw`/`pluck` apply when it is prepared. */
class LazyStatement {
  #statement: Database.Statement | undefined;
  #raw = false;
  #pluck = false;
  constructor(
    private readonly db: Database.Database,
    private readonly source: string,
  ) {}

  private get statement(): Database.Statement {
    if (this.#statement) return this.#statement;
    const statement = this.db.prepare(this.source);
    if (this.#raw) statement.raw();
    if (this.#pluck) statement.pluck();
    return (this.#statement = statement);
  }
  raw(toggle = true): this {
    this.#raw = toggle;
    this.#statement?.raw(toggle);
    return this;
  }
  pluck(toggle = true): this {
    this.#pluck = toggle;
    this.#statement?.pluck(toggle);
    return this;
  }
  run(...params: unknown[]): Database.RunResult {
    return this.statement.run(...params);
  }
  get(...params: unknown[]): unknown {
    return this.statement.get(...params);
  }
  all(...params: unknown[]): unknown[] {
    return this.statement.all(...params);
  }
  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.statement.iterate(...params);
  }
}
