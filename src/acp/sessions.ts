import * as acp from '@agentclientprotocol/sdk';
import { Methods } from '@threadline/protocol';
import type { Orchestrator } from '../orchestrator/api.js';
import { replayUpdates } from './replay.js';
import { invalidParams, toRequestError } from './errors.js';

export interface SessionDeps {
  orchestrator: Orchestrator;
  /** Answers this connection's pending prompts of the session `cancelled`. */
  cancelSession: (sessionId: string) => void;
  /** Follows the session's title (session_info_update); returns the current one, if titled. */
  attach: (sessionId: string) => Promise<acp.SessionUpdate | undefined>;
}

/**
 * session/new's params as `thread/create`'s: the cwd, and the MCP servers passed through (the
 * thread starts them when its turns run). A list Threadline cannot take (an `sse` server, a
 * missing field) is -32602 naming the field, and creates nothing.
 */
export function threadCreateParams(params: acp.NewSessionRequest) {
  const parsed = Methods['thread/create'].params.safeParse({ cwd: params.cwd, mcpServers: params.mcpServers });
  if (parsed.success) return parsed.data;
  const sse = params.mcpServers.find((s) => (s as { type?: string }).type === 'sse');
  throw invalidParams(parsed.error, sse && `mcpServers: "${sse.name}" uses the SSE transport; Threadline takes stdio and streamable HTTP servers`);
}

/**
 * session/load (replay, then answer), list, resume, close and delete over the thread records.
 * Any process on the same database can load any session, also after a crash: recovery has
 * ended the dead process's turns `interrupted`.
 */
export function withSessionHandlers(app: acp.AgentApp, { orchestrator, cancelSession, attach }: SessionDeps): acp.AgentApp {
  const requireSession = async (sessionId: string) => {
    if (!(await orchestrator.threadExists(sessionId))) throw acp.RequestError.sessionNotFound(sessionId);
  };
  return app
    .onRequest(acp.methods.agent.session.load, async ({ params, client }) => {
      await requireSession(params.sessionId);
      const { turns = [] } = await orchestrator.getThread(Methods['thread/get'].params.parse({ threadId: params.sessionId, includeTurns: true }));
      const history = [];
      for (const t of turns) if (t.supersededBy === undefined && t.revertedAt === undefined) history.push(await orchestrator.getTurn(t.id));
      // The replay is complete before the answer (trap 4): each notification is awaited in order.
      for (const update of replayUpdates(history)) {
        await client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update });
      }
      const title = await attach(params.sessionId);
      if (title) await client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update: title });
      return {};
    })
    .onRequest(acp.methods.agent.session.resume, async ({ params }) => {
      await requireSession(params.sessionId);
      await attach(params.sessionId);
      return {};
    })
    .onRequest(acp.methods.agent.session.list, async ({ params }) => {
      try {
        // A page of threads can hold no session of this cwd: read on until one does (or the end),
        // so an empty page never ends a client's listing early.
        let cursor = params.cursor ?? undefined;
        for (;;) {
          const page = await orchestrator.listThreads(Methods['thread/list'].params.parse({ cursor }));
          // cwd is required in SessionInfo: threads without one (made over Threadline's own protocol) are left out.
          const sessions = page.threads
            .filter((t) => t.cwd !== undefined && (params.cwd == null || t.cwd === params.cwd))
            .map((t) => ({ sessionId: t.id, cwd: t.cwd!, title: t.title || undefined, updatedAt: t.updatedAt }));
          if (sessions.length > 0 || page.nextCursor === undefined) {
            return page.nextCursor !== undefined ? { sessions, nextCursor: page.nextCursor } : { sessions };
          }
          cursor = page.nextCursor;
        }
      } catch (error) {
        throw toRequestError(error);
      }
    })
    .onRequest(acp.methods.agent.session.close, async ({ params }) => {
      await requireSession(params.sessionId);
      cancelSession(params.sessionId);
      return {};
    })
    .onRequest(acp.methods.agent.session.delete, async ({ params }) => {
      try {
        await orchestrator.deleteThread(params.sessionId);
        return {};
      } catch (error) {
        throw toRequestError(error, params.sessionId);
      }
    });
}
