import * as z from 'zod/mini';
import { lazy } from './registry.js';

/** Prefixes of Threadline ids; each is followed by a full UUIDv7 (PROTOCOL.md §3). */
export const ID_PREFIXES = {
  thread: 'thr_',
  turn: 'turn_',
  item: 'item_',
  admission: 'inp_',
  approval: 'appr_',
  rule: 'rule_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}';

function idSchema(kind: IdKind) {
  const prefix = ID_PREFIXES[kind];
  return z.string().check(z.regex(new RegExp(`^${prefix}${UUID}$`), `expected a ${kind} id (${prefix}<uuidv7>)`));
}

/** Built on first use (a regex each): a server answers `initialize` without them. */
export const threadIdSchema = lazy(() => idSchema('thread'));
export const turnIdSchema = lazy(() => idSchema('turn'));
export const itemIdSchema = lazy(() => idSchema('item'));
export const admissionIdSchema = lazy(() => idSchema('admission'));
/** The same schemas, built on import. */
export const ThreadIdSchema = /* @__PURE__ */ threadIdSchema();
export const TurnIdSchema = /* @__PURE__ */ turnIdSchema();
export const ItemIdSchema = /* @__PURE__ */ itemIdSchema();
export const AdmissionIdSchema = /* @__PURE__ */ admissionIdSchema();

/**
 * Ids arriving in params are only required to be non-empty strings: an id of the wrong shape is
 * simply unknown, so the caller gets the precise "not found" error with the id in `data`.
 */
export function idParam(name: string) {
  return z.string({ error: `${name} must be a string` }).check(z.minLength(1, `${name} must not be empty`));
}
