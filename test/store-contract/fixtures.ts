import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { NewAdmission, NewItem, NewThread, NewTurn, Owner, Store, WriteTx } from '../../src/store/port.js';

/** One adapter's store for one test, and what the suite may do with it. */
export interface StoreHarness {
  /** A fresh, empty store. */
  store: Store;
  /** Closes `store` and opens the same data again (the committed data must still be there). */
  reopen?(): Promise<Store>;
  /** A second store on the same data, as another process (or another machine) would open it. */
  otherConnection?(): Promise<Store>;
  /** Closes every store it opened and removes the data. */
  cleanup(): Promise<void>;
}

export type StoreFactory = () => Promise<StoreHarness>;

/** Opens a fresh harness for one test; it is cleaned up after the test, pass or fail. */
export type OpenStore = (t: TestContext) => Promise<StoreHarness>;

export function opener(factory: StoreFactory): OpenStore {
  return async (t) => {
    const harness = await factory();
    t.after(() => harness.cleanup());
    return harness;
  };
}

/** A fixed clock for records: `at(n)` is n seconds into 2026 (ISO 8601, UTC). */
export const at = (seconds: number): string => new Date(Date.UTC(2026, 0, 1) + seconds * 1000).toISOString();

/** The record as a client receives it over JSON (an `undefined` field is no field there). */
export const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Absent optional fields are omitted, never null (PROTOCOL's records; port.ts's contract). */
export function assertNoNulls(record: object | undefined, what: string): void {
  assert.ok(record, `${what} was not found`);
  for (const [key, value] of Object.entries(record)) assert.notEqual(value, null, `${what}.${key} is null`);
}

export function newThread(id: string, over: Partial<NewThread> = {}): NewThread {
  return { id, title: `title of ${id}`, autoApprove: false, trustMode: false, metadata: {}, now: at(0), ...over };
}

export function newTurn(id: string, threadId: string, startSeq: number, over: Partial<NewTurn> = {}): NewTurn {
  return { id, threadId, inputSummary: `prompt of ${id}`, options: {}, now: at(10), startSeq, ...over };
}

export function newItem(id: string, turnId: string, threadId: string, over: Partial<NewItem> = {}): NewItem {
  return { id, turnId, threadId, kind: 'agent_message', status: 'in_progress', summary: '', now: at(20), ...over };
}

export function newAdmission(id: string, threadId: string, admittedSeq: number, over: Partial<NewAdmission> = {}): NewAdmission {
  return { id, threadId, admittedSeq, prompt: `prompt ${id}`, delivery: 'queue', options: {}, now: at(30), ...over };
}

export function newOwner(id: string, over: Partial<Owner> = {}): Owner {
  return {
    id,
    pid: 4242,
    hostname: 'host-a',
    processKey: `boot:${id}`,
    pidNamespace: 'pid:[4026531836]',
    leaseTtlMs: 10_000,
    machineId: 'machine-a',
    startedAt: at(0),
    heartbeatAt: at(0),
    ...over,
  };
}

/** A turn on the thread, inserting the thread first when needed (an adapter may enforce foreign keys). */
export async function seedTurn(tx: WriteTx, threadId: string, turnId: string, startSeq = 1): Promise<void> {
  if (!await tx.threads.find(threadId)) await tx.threads.insert(newThread(threadId));
  await tx.turns.insert(newTurn(turnId, threadId, startSeq));
}

/** Resolves when `promise` does, or fails the test after `ms` saying what never happened. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
