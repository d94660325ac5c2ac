/**
 * One system under test, as the rows see it: Threadline (threadline-side.ts) or Codex's
 * app-server (codex-client.ts). Each method is one protocol round trip or one turn, so a row
 * times the same user-visible operation on both sides.
 */
export interface Side {
  name: 'Threadline' | 'Codex';
  pid: number;
  /** Creates a thread (Threadline `thread/create`, Codex `thread/start`); its id. */
  startThread(): Promise<string>;
  /**
   * Starts a turn and resolves on its completion event, with the delta events the client saw and
   * the characters of reply text they carried (a server may coalesce deltas into fewer events).
   */
  runTurn(threadId: string, prompt: string): Promise<TurnResult>;
  /**
   * Pages through every thread (200 a page); how many there were. `indexed`: Codex's
   * `useStateDbOnly` (its SQLite index, no scan of the JSONL rollouts); Threadline has one way.
   */
  listAll(options?: { indexed?: boolean }): Promise<number>;
  /** Reads a thread back with every turn and item; how many turns came back. */
  readThread(threadId: string): Promise<number>;
  close(): Promise<void>;
}

export interface TurnResult {
  deltas: number;
  chars: number;
}

export const PAGE = 200;
