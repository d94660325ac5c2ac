import { join } from 'node:path';
import type { MockModel } from './mock-model.js';

/** What every peer row gets. */
export interface PeersContext {
  quick: boolean;
  /** Scratch folder: Threadline databases and Codex homes, removed at the end. */
  tmp: string;
  codexBinary: string;
  mock: MockModel;
  log(message: string): void;
}

/** One line of the table: the same figure for both systems (null = could not be measured). */
export interface PeerRow {
  figure: string;
  unit: string;
  threadline: number | null;
  codex: number | null;
  /** Why a figure is missing, or what exactly was compared. */
  note?: string;
}

export const dbIn = (ctx: PeersContext, name: string) => join(ctx.tmp, `${name}.db`);
