import { v7 as uuidv7 } from 'uuid';
import { ID_PREFIXES, type IdKind } from '@threadline/protocol';

/** A prefixed UUIDv7: time-ordered, so ids sort roughly by creation. */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}${uuidv7()}`;
}

