/**
 * The store port: everything the orchestrator knows of persistence. An adapter (SQLite in
 * `sqlite/`, later Postgres) implements it; nothing outside `store/` sees SQL, a driver type or a
 * row. Every read and write happens inside a transaction handle (`Store.write` / `Store.read`),
 * so an adapter can put each statement on its transaction's connection.
 *
 * The contract, shared by every adapter (test/store-contract/ runs one suite against each):
 * - Every call is asynchronous: an adapter over a network database awaits its driver, the SQLite
 *   adapter answers at once (a settled promise). A caller awaits each call before the next.
 * - `write` is one serializable transaction: all of its writes commit, or none do; two
 *   writers' transactions on one thread never interleave (processes, machines, or two
 *   concurrent calls of one process: an adapter with one connection queues them).
 * - `tx.now` is the transaction's clock (ISO 8601, UTC), read once when it began.
 * - `threads.nextSeq` allocates a thread's next event seq; seqs are gap-free because only a
 *   committed transaction keeps its allocations.
 * - Records come back as the protocol's types: an absent optional field is absent or undefined,
 *   never null, so a record's JSON omits it (the wire is JSON; building records without the key
 *   would cost the hot read paths a branch per column).
 */
import type {
  Admission,
  ApprovalRule,
  ContextUsage,
  McpServerSpec,
  Delivery,
  Item,
  ItemKind,
  ItemStatus,
  RoutingRule,
  Thread,
  ThreadEvent,
  ThreadStatus,
  Turn,
  TurnKind,
  TurnStatus,
  Usage,
} from '@threadline/protocol';

// ---- records ----

/** Engine options a turn was started with (the parts of startTurn params that reach the host). */
export interface TurnOptions {
  mode?: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  autoApprove?: boolean;
  trustMode?: boolean;
  allowShell?: boolean;
}

/** What a pending prompt will run with once promoted, fixed when it is admitted. */
export interface AdmissionOptions extends TurnOptions {
  inputSummary?: string;
  model?: string;
}

export interface NewThread {
  id: string;
  title: string;
  model?: string;
  mode?: string;
  cwd?: string;
  systemPrompt?: string;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
  now: string;
  /** A fork: the source thread and the first source turn not copied. */
  forkedFrom?: { threadId: string; turnId?: string };
  /** An import: the thread id the document named. */
  importedFrom?: string;
  /** The thread's own MCP servers, secrets included (`Thread.mcpServers` shows them redacted). */
  mcpServers?: McpServerSpec[];
}

export interface ThreadSettings {
  title: string;
  model: string | null;
  mode: string | null;
  systemPrompt: string | null;
  autoApprove: boolean;
  trustMode: boolean;
  metadata: Record<string, unknown>;
}

/** Where a `thread/list` page continues: threads sort by `updatedAt` then `id`, newest first. */
export interface ThreadPageKey {
  updatedAt: string;
  id: string;
}

/** The two facts most operations need about a thread, without building its record. */
export interface ThreadRunState {
  runningTurnId: string | null;
  archived: boolean;
  /** Changes whenever what an engine must see changes without a new turn (revert, unrevert). */
  historyRev: number;
}

/** A running turn's lease: this owner runs it until `expiresAt` unless the heartbeat renews it. */
export interface LeaseGrant {
  owner: string;
  expiresAt: string;
}

export interface NewTurn {
  id: string;
  threadId: string;
  inputSummary: string;
  model?: string;
  options: TurnOptions;
  now: string;
  startSeq: number;
  kind?: TurnKind;
}

/** An ended turn written whole (a fork's or an import's copy); `startSeq` orders it among the thread's turns. */
export interface CopiedTurn {
  id: string;
  threadId: string;
  kind: TurnKind;
  status: Exclude<TurnStatus, 'in_progress'>;
  inputSummary: string;
  model?: string;
  options: TurnOptions;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  usage?: Usage;
  error?: string;
  steerCount: number;
  startSeq: number;
  /** An import's copy of a reverted turn: hidden from the engine like the original (no unrevert brings it back). */
  revertedAt?: string;
  /** An import's copy of a superseded turn: the copy of the turn that replaced it. */
  supersededBy?: string;
}

/** A turn with its place in the thread (the keyset of `thread/turns` pages). */
export interface PlacedTurn {
  turn: Turn;
  startSeq: number;
}

export interface TurnEnd {
  status: Exclude<TurnStatus, 'in_progress'>;
  endedAt: string;
  durationMs: number;
  usage?: Usage;
  error?: string;
}

export interface StoredTurn {
  turn: Turn;
  options: TurnOptions;
}

export interface NewItem {
  id: string;
  turnId: string;
  threadId: string;
  kind: ItemKind;
  status: ItemStatus;
  /** PROTOCOL.md §3's summary of `detail` (the caller applies the rule; the store keeps it). */
  summary: string;
  detail?: string;
  metadata?: Record<string, unknown>;
  now: string;
}

export interface ItemEnd {
  status: Exclude<ItemStatus, 'in_progress'>;
  summary: string;
  detail?: string;
  /** Replaces the item's metadata when given; kept otherwise. */
  metadata?: Record<string, unknown>;
  endedAt: string;
}

/** One persisted item with the facts about its turn that decide whether an engine sees it. */
export interface HistoryRow {
  turnId: string;
  turnKind: TurnKind;
  turnStatus: TurnStatus;
  superseded: boolean;
  reverted: boolean;
  kind: ItemKind;
  status: ItemStatus;
  detail: string;
  metadata?: Record<string, unknown>;
}

/** An item written whole (a fork's or an import's copy). */
export interface CopiedItem {
  id: string;
  turnId: string;
  threadId: string;
  kind: ItemKind;
  status: Exclude<ItemStatus, 'in_progress'>;
  summary: string;
  detail?: string;
  metadata?: Record<string, unknown>;
  startedAt?: string;
  endedAt?: string;
}

/** An item with its place in the turn (the keyset of `turn/items` pages). */
export interface PlacedItem {
  item: Item;
  position: number;
}

export interface NewAdmission {
  id: string;
  threadId: string;
  /** The seq of the event that admits it (`prompt.admitted`, or `prompt.promoted` when used at once). */
  admittedSeq: number;
  prompt: string;
  delivery: Delivery;
  options: AdmissionOptions;
  now: string;
}

export interface StoredAdmission {
  admission: Admission;
  options: AdmissionOptions;
}

export interface NewEvent {
  threadId: string;
  seq: number;
  turnId?: string;
  itemId?: string;
  kind: string;
  payload: unknown;
  time: string;
}

/** What the first call with a `clientRequestId` produced, to answer its repeats. */
export interface ClientRequestRecord {
  turnId: string;
  admissionId: string;
  queued: boolean;
}

/** A server process working on the database. */
export interface Owner {
  id: string;
  pid: number;
  hostname: string;
  /** Names the process beyond its pid (boot id + start time), so a reused pid is not mistaken for it. */
  processKey: string;
  /** The PID namespace `pid` is a pid in; null when unknown (a row from before it was recorded). */
  pidNamespace: string | null;
  /** The owner's own `--lease-ttl`; null in a row from before it was recorded. */
  leaseTtlMs: number | null;
  /**
   * The machine the process runs on (`--machine-id`, by default derived from /etc/machine-id):
   * its pid means something only on the same machine. Null in a row from before it was recorded.
   */
  machineId: string | null;
  startedAt: string;
  heartbeatAt: string;
}

/** Who holds a thread's running turn, and until when. */
export interface ThreadLease {
  runningTurnId: string | null;
  ownerId: string | null;
  expiresAt: string | null;
  /**
   * No lease, or its expiry is not after the transaction's clock: judged by the database in SQL
   * (Postgres: `now()`), so servers on other machines agree whatever their own clocks say.
   */
  expired: boolean;
  owner?: Owner;
}

// ---- table families: reads, and the writes a write transaction adds ----

export interface ThreadReads {
  find(id: string): Promise<Thread | undefined>;
  runState(id: string): Promise<ThreadRunState | undefined>;
  /** The thread's last event seq; undefined when there is no such thread. */
  lastSeq(id: string): Promise<number | undefined>;
  list(archived: boolean, limit: number, after?: ThreadPageKey, status?: ThreadStatus): Promise<Thread[]>;
  /**
   * The thread's MCP servers with their secrets, to connect them; the only read that returns the
   * env and header values (every `Thread` carries them redacted). Empty when none (or no thread).
   */
  mcpServers(id: string): Promise<McpServerSpec[]>;
}

export interface ThreadWrites {
  insert(thread: NewThread): Promise<void>;
  updateSettings(id: string, settings: ThreadSettings, now: string): Promise<void>;
  setArchived(id: string, archived: boolean, now: string): Promise<void>;
  /** Deletes the thread and everything of it (turns, items, admissions, events). */
  delete(id: string): Promise<void>;
  /** Allocates the thread's next event seq. */
  nextSeq(id: string): Promise<number>;
  /** The turn runs, leased to `lease.owner` (the same transaction begins it). */
  setRunningTurn(id: string, turnId: string, now: string, lease: LeaseGrant): Promise<void>;
  /** The turn ended: the thread is idle and its lease released (no-op if another turn runs). */
  clearRunningTurn(id: string, turnId: string, now: string): Promise<void>;
  /** What an engine must see changed without a new turn: loaded engines reload. */
  bumpHistoryRev(id: string): Promise<void>;
  /** The context window as of the thread's latest model call (`null`: unknown again, after a compaction). */
  setContextUsage(id: string, usage: ContextUsage | null): Promise<void>;
}

export interface TurnReads {
  find(id: string): Promise<Turn | undefined>;
  findStored(id: string): Promise<StoredTurn | undefined>;
  /** The seq at which the turn began: its events all come after it (0 for an unknown turn). */
  startSeq(id: string): Promise<number>;
  listOfThread(threadId: string): Promise<Turn[]>;
  /** The thread's last turn that was not superseded (what editLastTurn may supersede). */
  findLastLive(threadId: string): Promise<Turn | undefined>;
  /** The thread's latest turn other than `turnId` (what an engine must have seen last). */
  findPreviousId(threadId: string, turnId: string): Promise<string | undefined>;
  listInProgress(): Promise<Turn[]>;
  hasInProgress(): Promise<boolean>;
  /** The usage of every completed turn (of one thread, or of all). */
  listCompletedUsage(threadId?: string): Promise<Usage[]>;
  /** A page of the thread's turns by start seq, after (asc) or before (desc) `afterStartSeq`. */
  page(threadId: string, order: 'asc' | 'desc', limit: number, afterStartSeq?: number): Promise<PlacedTurn[]>;
  /** The most recent revert still in effect: its `thread.reverted` seq and its turns, oldest first. */
  lastRevert(threadId: string): Promise<{ seq: number; turnIds: string[] } | undefined>;
  /** Whether a turn of the thread began after `seq`. */
  startedAfter(threadId: string, seq: number): Promise<boolean>;
}

export interface TurnWrites {
  insert(turn: NewTurn): Promise<void>;
  /** Ends an in-progress turn; false when it had already ended (the end is decided once). */
  finish(id: string, end: TurnEnd): Promise<boolean>;
  markSuperseded(id: string, by: string): Promise<void>;
  countSteer(id: string): Promise<void>;
  insertCopy(turn: CopiedTurn): Promise<void>;
  /** Marks the thread's turns from `fromStartSeq` on (not yet reverted) reverted; returns their ids, oldest first. */
  markReverted(threadId: string, fromStartSeq: number, at: string, seq: number): Promise<string[]>;
  /** Restores the turns the revert recorded at `seq` marked. */
  clearReverted(threadId: string, seq: number): Promise<void>;
}

export interface ItemReads {
  find(id: string): Promise<Item | undefined>;
  listOfTurn(turnId: string): Promise<Item[]>;
  listOpenOfTurn(turnId: string): Promise<Item[]>;
  /** Every item of the thread's turns, in conversation order, with its turn's facts. */
  listHistory(threadId: string): Promise<HistoryRow[]>;
  /** A page of the turn's items in order, after `afterPosition`. */
  page(turnId: string, limit: number, afterPosition?: number): Promise<PlacedItem[]>;
}

/** Item writes keep the thread's `preview`: a user or agent message written with text becomes it. */
export interface ItemWrites {
  insert(item: NewItem): Promise<Item>;
  finish(id: string, end: ItemEnd): Promise<Item>;
  insertCopy(item: CopiedItem): Promise<Item>;
}

export interface AdmissionReads {
  find(id: string): Promise<Admission | undefined>;
  listPending(threadId: string): Promise<Admission[]>;
  findOldestPending(threadId: string): Promise<StoredAdmission | undefined>;
  countPending(threadId: string): Promise<number>;
}

export interface AdmissionWrites {
  /** Inserts a pending admission (counted in its thread's `queuedCount`) and answers it as stored. */
  insert(admission: NewAdmission): Promise<Admission>;
  /** Pending → promoted: the admission as it now is; undefined when it was not pending. */
  markPromoted(id: string, promotedSeq: number, turnId: string): Promise<Admission | undefined>;
  /** Pending → cancelled; false when it was not pending. */
  markCancelled(id: string): Promise<boolean>;
  /** Replaces a pending admission's prompt (same id, same place); false when it was not pending. */
  updatePrompt(id: string, prompt: string): Promise<boolean>;
  /** The pending admissions `ids` (exactly the thread's) run in this order from now on. */
  reorder(threadId: string, ids: string[]): Promise<void>;
}

export interface EventReads {
  /** Events after `afterSeq`, oldest first: at most `limit`, and a page stops short past ~4 MiB. */
  page(threadId: string, afterSeq: number, limit: number): Promise<ThreadEvent[]>;
  /** The text an item streamed in `item.delta` events after `afterSeq`, read until past `maxChars`. */
  concatDeltas(threadId: string, afterSeq: number, itemId: string, maxChars: number): Promise<string>;
  /**
   * Optional: the same page as `page`, as one JSON array text byte for byte as notified — for a
   * store that keeps payloads as JSON, so a reply splices it in without parsing a payload.
   */
  readonly pageJson?: (threadId: string, afterSeq: number, limit: number) => Promise<string>;
}

export interface EventWrites {
  /** Appends the event; returns it as `page` will read it back: the same JSON (same keys, same order). */
  append(event: NewEvent): Promise<ThreadEvent>;
}

export interface ClientRequestReads {
  find(threadId: string, clientRequestId: string): Promise<ClientRequestRecord | undefined>;
}

export interface ClientRequestWrites {
  insert(threadId: string, clientRequestId: string, record: ClientRequestRecord, now: string): Promise<void>;
}

export interface RoutingReads {
  list(): Promise<RoutingRule[]>;
  /** The model of the first rule whose intent matches, case-insensitively. */
  modelForIntent(intent: string): Promise<string | undefined>;
}

export interface RoutingWrites {
  replace(rules: RoutingRule[]): Promise<void>;
}

export interface OwnerReads {
  find(id: string): Promise<Owner | undefined>;
  /** `now` is the transaction's `tx.now` (an adapter with a clock of its own may use that instead). */
  threadLease(threadId: string, now: string): Promise<ThreadLease | undefined>;
  /**
   * What `threads.find` and `threadLease` answer, from one read: an operation reads its thread
   * and then who holds it (SQLite: one statement instead of two, Postgres: one round trip).
   */
  threadWithLease(threadId: string, now: string): Promise<{ thread: Thread; lease: ThreadLease } | undefined>;
  /** True while `ownerId` holds the lease of `turnId`, the thread's running turn. */
  holdsLease(threadId: string, turnId: string, ownerId: string): Promise<boolean>;
  /** Threads whose lease `ownerId` holds. */
  leasesOf(ownerId: string): Promise<{ threadId: string; runningTurnId: string | null }[]>;
}

export interface OwnerWrites {
  /** Records the owner, or moves its heartbeat on when it is recorded already. */
  upsert(owner: Owner): Promise<void>;
  /** The owner's heartbeat: every lease it holds moves on to `expiresAt`. */
  renewLeases(ownerId: string, expiresAt: string): Promise<void>;
  delete(id: string): Promise<void>;
  /** Forgets owners holding no lease, silent for over `ttls` of their own ttl (`unknownTtlMs` if none recorded). */
  deleteStale(now: string, ttls: number, unknownTtlMs: number): Promise<number>;
}

export interface ApprovalRuleReads {
  find(id: string): Promise<ApprovalRule | undefined>;
  /** Every rule, oldest first (`createdAt`, then id). */
  list(): Promise<ApprovalRule[]>;
  /**
   * The rules that apply where `threadId` runs in `cwd`, oldest first: the global ones, those
   * scoped to `threadId` and those of the workspace `cwd` (compared as given: callers normalise).
   */
  listApplicable(threadId: string | undefined, cwd: string | undefined): Promise<ApprovalRule[]>;
}

export interface ApprovalRuleWrites {
  /** Stores the rule; a thread-scoped rule is deleted with its thread. */
  insert(rule: ApprovalRule): Promise<void>;
  /** Removes the rule; false when there was none. */
  delete(id: string): Promise<boolean>;
}

/** One full-text hit: a thread's title (`itemId` null) or one of its user or agent messages. */
export interface SearchHitRow {
  /** Names the hit (stable while it exists): a page's last key anchors the next page. */
  key: number;
  /** The hit's thread as it is now, read by the same query (a page is one statement, not one per thread). */
  thread: Thread;
  turnId: string | null;
  itemId: string | null;
  /** The indexed text around the first matching term; the store cuts it, the caller bounds it. */
  snippet: string;
}

export type UsageGroup = 'day' | 'model' | 'thread';

/** Which turns a usage report counts: ended ones created in [since, until] (ISO 8601 UTC, `toISOString` form). */
export interface UsageRange {
  since?: string;
  until?: string;
  threadId?: string;
}

/** One group of a usage report; `costUsd` is null when no turn of the group had a price. */
export interface UsageRow {
  key: string;
  turns: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  costUsd: number | null;
}

/**
 * Reads across threads for `thread/search` and `usage/report`. The adapter keeps its search index
 * in step with every write of a title or a message in the same transaction: a committed write is
 * findable, a rolled-back one is not, a deleted thread is found no more.
 */
export interface ReportReads {
  /**
   * Titles and user/agent messages (written whole, with text) containing every one of `terms`,
   * each as a word or a word prefix, case-insensitively; of threads whose `archived` is as given.
   * Best match first, then `key`; `limit` hits from the `offset`-th on. The rank is the adapter's
   * (bm25, ts_rank), computed over the whole index, so it moves as anything is written; it is not
   * returned: on SQLite, reading FTS5's rank column back cost more than the rest of the query.
   * `terms` are words, never query syntax: the adapter quotes them, so no input is an operator.
   */
  search(terms: string[], archived: boolean, limit: number, offset: number): Promise<SearchHitRow[]>;
  /** The keys of the hits `search` returns for the same arguments, in its order (where a page's anchor is now). */
  searchKeys(terms: string[], archived: boolean, limit: number, offset: number): Promise<number[]>;
  /** How many titles and messages the search index holds (for consistency checks). */
  searchIndexSize(): Promise<{ titles: number; messages: number }>;
  /**
   * Usage of ended turns (completed, failed, interrupted) created in `range`, one row per group,
   * sorted by key. A fork's or an import's copy (`insertCopy`, start seq below 1) is not counted:
   * its usage was spent by the turn it copies.
   */
  usage(groupBy: UsageGroup, range: UsageRange): Promise<UsageRow[]>;
}

// ---- transactions and the store ----

/** A consistent snapshot. */
export interface ReadTx {
  readonly threads: ThreadReads;
  readonly turns: TurnReads;
  readonly items: ItemReads;
  readonly admissions: AdmissionReads;
  readonly events: EventReads;
  readonly clientRequests: ClientRequestReads;
  readonly routing: RoutingReads;
  readonly owners: OwnerReads;
  readonly reports: ReportReads;
  readonly approvalRules: ApprovalRuleReads;
}

/** One write transaction: its reads see its own writes. */
export interface WriteTx {
  /** The transaction's time, from the store's clock. */
  readonly now: string;
  readonly threads: ThreadReads & ThreadWrites;
  readonly turns: TurnReads & TurnWrites;
  readonly items: ItemReads & ItemWrites;
  readonly admissions: AdmissionReads & AdmissionWrites;
  readonly events: EventReads & EventWrites;
  readonly clientRequests: ClientRequestReads & ClientRequestWrites;
  readonly routing: RoutingReads & RoutingWrites;
  readonly owners: OwnerReads & OwnerWrites;
  readonly reports: ReportReads;
  readonly approvalRules: ApprovalRuleReads & ApprovalRuleWrites;
  /** Runs `fn` so that its writes alone roll back when it throws (the rest of the transaction stays). */
  savepoint<T>(fn: () => Promise<T>): Promise<T>;
}

/** Notices commits of other processes on the same database (this process's own are not reported). */
export interface ChangeFeed {
  /** Calls `listener` after each commit of another process; returns the unsubscribe. */
  watch(listener: () => void): () => void;
  stop(): void;
}

export interface Store {
  /**
   * One write transaction: all of `fn`'s writes commit when the promise it returns fulfils, none
   * when it rejects. `fn` must use only `tx` (a `write` or `read` of the same store inside it waits
   * for this one to end: a deadlock) and must not wait on anything but `tx`'s calls: the
   * transaction holds its locks while it waits.
   */
  write<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /**
   * `write` whose COMMIT does not wait for the disk: what it wrote becomes durable with the next
   * commit that does (or is lost whole, never half kept, if the machine stops first). Only for
   * what no client was told was done: this process's owner row at start-up, whose commit is the
   * first of a new SQLite WAL (three fsyncs before the first answer otherwise). Absent: `write`.
   */
  writeUnsynced?<T>(fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  /** One consistent snapshot, under the same rules as `write`. */
  read<T>(fn: (tx: ReadTx) => Promise<T>): Promise<T>;
  /** Where the data lives, as the user named it (a file path). */
  readonly location: string;
  /** Other processes' commits, when the store can see them. */
  readonly changeFeed?: ChangeFeed;
  close(): Promise<void>;
}
