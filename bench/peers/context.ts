import { join } from 'node:path';
import type { CodexNetwork } from './codex-client.js';
import type { MockModel } from './mock-model.js';

/** What every peer row gets. */
export interface PeersContext {
  quick: boolean;
  /** Scratch folder: Threadline databases and Codex homes, removed at the end. */
  tmp: string;
  codexBinary: string;
  mock: MockModel;
  /** For Codex children: the mock's URL and the refusing proxy (network-sentinel.ts). */
  network: CodexNetwork;
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
