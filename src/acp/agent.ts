import * as acp from '@agentclientprotocol/sdk';
import { Methods } from '@threadline/protocol';
import { threadCreateParams } from './sessions.js';
import type { Logger } from '../log.js';
import { NO_PEER, type Orchestrator, type Peer } from '../orchestrator/api.js';
import { promptText } from './content.js';
import { permissionClient } from './permissions.js';
import { PromptRun } from './prompt.js';
import { toRequestError } from './errors.js';
import { withSessionHandlers } from './sessions.js';
import { threadlineMeta, withExtensions } from './extensions.js';
import { SessionInfo } from './session-info.js';

export interface AcpAgentOptions {
  orchestrator: Orchestrator;
  log: Logger;
  version: string;
}

/**
 * The ACP agent: sessions are threads (sessionId = thread id), prompts are turns admitted with
 * delivery `queue`, approvals are permission requests. Built on the SDK's agent app; the SDK
 * validates every request's params before a handler runs.
 */
export function acpAgent(options: AcpAgentOptions): acp.AgentApp {
  const { orchestrator, log } = options;
  /** Prompts not yet answered, per session: cancel answers them all `cancelled`. */
  const runs = new Map<string, Set<PromptRun>>();
  /** This connection as the orchestrator's peer: its client answers the approvals of the turns it starts. */
  let peer: Peer = NO_PEER;
  let info: SessionInfo | undefined;

  /**
   * Answers this connection's prompts of the session `cancelled` (each stops only its own turn or
   * admission), then starts the next prompt still queued — another window's — since an
   * interrupted turn promotes nothing by itself.
   */
  const cancelSession = (sessionId: string) => {
    const pending = runs.get(sessionId);
    if (!pending) return;
    for (const run of pending) run.cancel();
    orchestrator.drain(Methods['thread/drain'].params.parse({ threadId: sessionId }), peer).catch(() => undefined);
  };

  const requireSession = async (sessionId: string) => {
    if (!(await orchestrator.threadExists(sessionId))) throw acp.RequestError.sessionNotFound(sessionId);
  };

  const app = acp
    .agent({ name: 'threadline' })
    .onConnect(({ client }) => {
      peer = { approvals: permissionClient(client, log), inputBacklog: () => 0 };
      info = new SessionInfo(orchestrator, (sessionId, update) => {
        client.notify(acp.methods.client.session.update, { sessionId, update }).catch(() => undefined);
      });
    })
    .onRequest(acp.methods.agent.initialize, ({ params }) => {
      log.info('acp client initialized', { client: params.clientInfo, requested: params.protocolVersion });
      return {
        // v1 rule: the requested version if supported, else our latest (a client asking for 2 gets 1).
        protocolVersion: acp.PROTOCOL_VERSION,
        agentInfo: { name: 'threadline', version: options.version },
        agentCapabilities: {
          loadSession: true,
          promptCapabilities: { embeddedContext: true },
          // session/new { mcpServers }: stdio always, streamable HTTP too (sse is refused -32602).
          mcpCapabilities: { http: true },
          // `fork` is unstable ACP (schema.unstable.json, sessionCapabilities.fork): clients that know it may use it.
          sessionCapabilities: { list: {}, resume: {}, close: {}, delete: {}, ...{ fork: {} } },
          _meta: threadlineMeta(),
        },
        authMethods: [],
      };
    })
    .onRequest(acp.methods.agent.session.new, async ({ params }) => {
      const { thread } = await orchestrator.createThread(threadCreateParams(params));
      await info?.attach(thread.id);
      return { sessionId: thread.id };
    })
    .onRequest(acp.methods.agent.session.prompt, async ({ params, client, signal }) => {
      const text = promptText(params.prompt);
      // Registered before anything is awaited: a session/cancel right behind the prompt finds it.
      const run = new PromptRun(
        { orchestrator, peer, send: (update) => client.notify(acp.methods.client.session.update, { sessionId: params.sessionId, update }) },
        params.sessionId,
      );
      const pending = runs.get(params.sessionId) ?? new Set<PromptRun>();
      runs.set(params.sessionId, pending.add(run));
      // $/cancel_request on this prompt is session/cancel for it (trap 5): answer `cancelled`.
      const onAbort = () => run.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await requireSession(params.sessionId);
        await info?.nameAfter(params.sessionId, text);
        return await run.run(text);
      } catch (error) {
        throw toRequestError(error, params.sessionId);
      } finally {
        signal.removeEventListener('abort', onAbort);
        pending.delete(run);
        if (pending.size === 0) runs.delete(params.sessionId);
      }
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => cancelSession(params.sessionId));
  const sessions = withSessionHandlers(app, { orchestrator, cancelSession, attach: async (sessionId) => info?.attach(sessionId) });
  return withExtensions(sessions, { orchestrator, log, peer: () => peer });
}
