import * as z from 'zod';

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
  return z.string().regex(new RegExp(`^${prefix}${UUID}$`), `expected a ${kind} id (${prefix}<uuidv7>)`);
}

export const ThreadIdSchema = idSchema('thread');
export const TurnIdSchema = idSchema('turn');
export const ItemIdSchema = idSchema('item');
export const AdmissionIdSchema = idSchema('admission');

/**
 * Ids arriving in params are only required to be non-empty strings: an id of the wrong shape is
 * simply unknown, so the caller gets the precise "not found" error with the id in `data`.
 */
export function idParam(name: string) {
  return z
    .string({ error: `${name} must be a string` })
    .min(1, `${name} must not be empty`);
}
