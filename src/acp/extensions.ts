import * as acp from '@agentclientprotocol/sdk';
import { Methods, PROTOCOL_VERSION, type ParsedParamsOf } from '@threadline/protocol';
import type { Logger } from '../log.js';
import type { Orchestrator, Peer } from '../orchestrator/api.js';
import type { RunTurn } from './agent.js';
import { guarded, sessionParams, withSession } from './extension-params.js';
import { withTurnExtensions } from './turn-extensions.js';

/**
 * Threadline's extras over ACP's extension mechanism (ACP.md §4): `_`-prefixed methods named
 * `_threadline/<verb>`, advertised under `agentCapabilities._meta.threadline`. Params are the
 * Threadline method's, with `sessionId` for `threadId`; clients that don't know them see plain ACP.
 */
export const EXTENSION_METHODS = [
  '_threadline/steer',
  '_threadline/edit_last_turn',
  '_threadline/update_queued',
  '_threadline/reorder_queued',
  '_threadline/fork',
  '_threadline/revert',
  '_threadline/unrevert',
  '_threadline/events',
  '_threadline/queue',
  '_threadline/cancel_queued',
  '_threadline/usage',
] as const;

/** `agentCapabilities._meta`: this extension's version, Threadline's protocol version, its methods. */
export function threadlineMeta(): Record<string, unknown> {
  return { threadline: { version: 1, protocolVersion: PROTOCOL_VERSION, methods: [...EXTENSION_METHODS] } };
}

interface ForkSessionRequest {
  sessionId: string;
  cwd: string;
  mcpServers?: unknown[];
  threadId?: string;
}

/** Unstable `session/fork` has no parser in the stable entry point: its required fields, checked here. */
function forkSessionRequest(raw: unknown): ForkSessionRequest {
  const { sessionId, rest } = withSession(raw, true);
  if (typeof rest.cwd !== 'string') throw acp.RequestError.invalidParams({ field: 'cwd' }, 'cwd must be a string');
  const mcpServers = Array.isArray(rest.mcpServers) ? rest.mcpServers : undefined;
  return { sessionId: sessionId!, cwd: rest.cwd, mcpServers };
}

export interface ExtensionDeps {
  orchestrator: Orchestrator;
  log: Logger;
  peer: () => Peer;
  runTurn: RunTurn;
}

export function withExtensions(app: acp.AgentApp, { orchestrator, log, peer, runTurn }: ExtensionDeps): acp.AgentApp {
  const fork = async (p: ParsedParamsOf<'thread/fork'>) => {
    const { thread, copiedTurns, droppedTurnId, originalUserText } = await orchestrator.forkThread(p);
    return { sessionId: thread.id, copiedTurns, droppedTurnId, originalUserText };
  };
  return (
    withTurnExtensions(app, { orchestrator, peer, runTurn })
      // Unstable ACP `session/fork` (advertised as sessionCapabilities.fork): the whole visible history.
      .onRequest(
        'session/fork',
        forkSessionRequest,
        guarded(async (p: ForkSessionRequest) => {
          p.threadId = p.sessionId;
          if (p.mcpServers?.length) log.info('mcpServers accepted but not used yet', { count: p.mcpServers.length });
          const { sessionId } = await fork(Methods['thread/fork'].params.parse({ threadId: p.sessionId }));
          // A Threadline thread's cwd is fixed at creation: the fork keeps its source's.
          if ((await orchestrator.getThread(Methods['thread/get'].params.parse({ threadId: sessionId }))).thread.cwd !== p.cwd) {
            log.info('session/fork: the fork keeps the source cwd', { sessionId, requested: p.cwd });
          }
          return { sessionId };
        }),
      )
      .onRequest('_threadline/fork', sessionParams('thread/fork'), guarded(fork))
      .onRequest(
        '_threadline/revert',
        sessionParams('thread/revert'),
        guarded(async (p: ParsedParamsOf<'thread/revert'>) => ({ revertedTurnIds: (await orchestrator.revert(p)).revertedTurnIds })),
      )
      .onRequest(
        '_threadline/unrevert',
        sessionParams('thread/unrevert'),
        guarded(async (p: ParsedParamsOf<'thread/unrevert'>) => ({ restoredTurnIds: (await orchestrator.unrevert(p)).restoredTurnIds })),
      )
      .onRequest(
        '_threadline/events',
        sessionParams('thread/events'),
        guarded(async (p: ParsedParamsOf<'thread/events'>) => {
          const page = await orchestrator.eventPage(p);
          return { events: JSON.parse(page.eventsJson) as unknown[], lastSeq: page.lastSeq };
        }),
      )
      .onRequest(
        '_threadline/queue',
        sessionParams('thread/get'),
        guarded(async (p: ParsedParamsOf<'thread/get'>) => ({ queued: (await orchestrator.getThread(p)).queued })),
      )
      .onRequest(
        '_threadline/cancel_queued',
        sessionParams('thread/cancelQueued'),
        guarded((p: ParsedParamsOf<'thread/cancelQueued'>) => orchestrator.cancelQueued(p, peer())),
      )
      .onRequest(
        '_threadline/usage',
        sessionParams('usage/get', false),
        guarded((p: ParsedParamsOf<'usage/get'>) => orchestrator.getUsage(p)),
      )
  );
}
