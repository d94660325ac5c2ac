import * as acp from '@agentclientprotocol/sdk';
import { Methods } from '@threadline/protocol';
import { threadCreateParams } from './sessions.js';
import type { Logger } from '../log.js';
import { NO_PEER, type Orchestrator, type Peer } from '../orchestrator/api.js';
import { promptText } from './content.js';
import { permissionClient } from './permissions.js';
import { PromptRun, promptAdmission, type Admit } from './prompt.js';
import { toRequestError } from './errors.js';
import { withSessionHandlers } from './sessions.js';
import { threadlineMeta, withExtensions } from './extensions.js';
import { SessionInfo } from './session-info.js';

/** What a prompt-like request handler gets from the SDK and needs here. */
export interface TurnContext {
  client: acp.AgentContext;
  signal: AbortSignal;
}

export type RunTurn = (sessionId: string, context: TurnContext, admit: Admit, before?: () => Promise<void>) => Promise<acp.PromptResponse>;

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
   * session/cancel: answers this connection's prompts of the session `cancelled` (each stops its
   * own turn or admission), stops the session's running turn when it is another window's — also
   * one another process runs: it is asked through the database and answers its own prompt
   * `cancelled` — then starts the next prompt still queued (another window's), since an
   * interrupted turn promotes nothing by itself.
   */
  const cancelSession = (sessionId: string) => {
    const pending = [...(runs.get(sessionId) ?? [])];
    // Every prompt sent before the cancel is marked at once; nothing is stopped until each has
    // its admission: interrupting the running turn while a later prompt's admission is still
    // being committed would let that prompt start on the idle thread and run (a slow store).
    for (const run of pending) run.flagCancelled();
    void (async () => {
      await Promise.all(pending.map((run) => run.admitted));
      await Promise.all(pending.map((run) => run.cancel()));
      const { thread } = await orchestrator.getThread(Methods['thread/get'].params.parse({ threadId: sessionId }));
      const turnId = thread.status === 'running' ? thread.latestTurnId : undefined;
      const others = turnId !== undefined && !pending.some((run) => run.turnId === turnId);
      if (others) await orchestrator.requestInterrupt(Methods['thread/interrupt'].params.parse({ threadId: sessionId, turnId, keepQueued: true }), peer);
      if (others || pending.length > 0) await orchestrator.drain(Methods['thread/drain'].params.parse({ threadId: sessionId }), peer);
    })().catch(() => undefined); // gone, or the turn ended meanwhile: nothing left to stop
  };

  const requireSession = async (sessionId: string) => {
    if (!(await orchestrator.threadExists(sessionId))) throw acp.RequestError.sessionNotFound(sessionId);
  };

  /**
   * A prompt-like request (session/prompt, _threadline/edit_last_turn): its turn's updates stream
   * as session/update and it answers when that turn ends; session/cancel and $/cancel_request
   * answer it `cancelled`.
   */
  const runTurn: RunTurn = async (sessionId: string, context: TurnContext, admit: Admit, before?: () => Promise<void>) => {
    const { client, signal } = context;
    // Registered before anything is awaited: a session/cancel right behind the request finds it.
    const run = new PromptRun(
      { orchestrator, peer, send: (update) => client.notify(acp.methods.client.session.update, { sessionId, update }) },
      sessionId,
    );
    const pending = runs.get(sessionId) ?? new Set<PromptRun>();
    runs.set(sessionId, pending.add(run));
    // $/cancel_request on this request is session/cancel for it (trap 5): answer `cancelled`.
    const onAbort = () => void run.cancel();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await requireSession(sessionId);
      await before?.();
      return await run.run(admit);
    } catch (error) {
      throw toRequestError(error, sessionId);
    } finally {
      run.abandon();
      signal.removeEventListener('abort', onAbort);
      pending.delete(run);
      if (pending.size === 0) runs.delete(sessionId);
    }
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
    .onRequest(acp.methods.agent.session.prompt, (context) => {
      const { sessionId, prompt } = context.params;
      const text = promptText(prompt);
      return runTurn(sessionId, context, promptAdmission(text), async () => info?.nameAfter(sessionId, text));
    })
    .onNotification(acp.methods.agent.session.cancel, ({ params }) => cancelSession(params.sessionId));
  const sessions = withSessionHandlers(app, { orchestrator, cancelSession, attach: async (sessionId) => info?.attach(sessionId) });
  return withExtensions(sessions, { orchestrator, log, peer: () => peer, runTurn });
}
