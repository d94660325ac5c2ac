import type { SessionUpdate } from '@agentclientprotocol/sdk';
import { Methods, type Thread } from '@threadline/protocol';
import type { Orchestrator } from '../orchestrator/api.js';

/** The longest title taken from a first prompt (its first line). */
const TITLE_CHARS = 80;

/**
 * `session_info_update { title, updatedAt }` for the sessions this connection uses (created,
 * loaded, resumed, forked or prompted): sent when a session's title changes — through
 * `thread/update` in this process, or in another process on the database (re-read on each of its
 * commits). An untitled session is named after its first prompt, since ACP v1 has no stable way
 * for the editor to set a title.
 */
export class SessionInfo {
  private readonly titles = new Map<string, string>();
  private readonly stop: (() => void)[] = [];

  constructor(
    private readonly orchestrator: Orchestrator,
    private readonly send: (sessionId: string, update: SessionUpdate) => void,
  ) {
    this.stop.push(
      orchestrator.onEvent((event) => {
        if (event.kind === 'thread.updated' && this.titles.has(event.threadId)) this.seen(event.payload.thread);
      }),
      orchestrator.onOtherProcessCommit(() => {
        for (const sessionId of [...this.titles.keys()]) {
          this.read(sessionId).then(
            (thread) => this.seen(thread),
            () => this.titles.delete(sessionId), // deleted: nothing more to follow
          );
        }
      }),
    );
  }

  /** Starts following a session; returns its current info (session/load sends it with the replay). */
  async attach(sessionId: string): Promise<SessionUpdate | undefined> {
    const thread = await this.read(sessionId);
    this.titles.set(sessionId, thread.title);
    return thread.title ? { sessionUpdate: 'session_info_update', title: thread.title, updatedAt: thread.updatedAt } : undefined;
  }

  /** Before a prompt runs: an untitled session takes the prompt's first line as its title. */
  async nameAfter(sessionId: string, prompt: string): Promise<void> {
    if (!this.titles.has(sessionId)) await this.attach(sessionId);
    if (this.titles.get(sessionId)) return;
    const line = prompt.split('\n').find((l) => l.trim())?.trim();
    if (!line) return;
    const title = line.length > TITLE_CHARS ? `${line.slice(0, TITLE_CHARS - 1)}…` : line;
    try {
      await this.orchestrator.updateThread(Methods['thread/update'].params.parse({ threadId: sessionId, title }));
    } catch {
      // Deleted or archived meanwhile: the prompt itself reports it.
    }
  }

  close(): void {
    for (const stop of this.stop.splice(0)) stop();
  }

  private async read(sessionId: string): Promise<Thread> {
    return (await this.orchestrator.getThread(Methods['thread/get'].params.parse({ threadId: sessionId }))).thread;
  }

  private seen(thread: Thread): void {
    if (this.titles.get(thread.id) === thread.title) return;
    this.titles.set(thread.id, thread.title);
    this.send(thread.id, { sessionUpdate: 'session_info_update', title: thread.title || null, updatedAt: thread.updatedAt });
  }
}
