import * as acp from '@agentclientprotocol/sdk';
import { Methods, PROTOCOL_VERSION, type MethodName, type ParsedParamsOf } from '@threadline/protocol';
import type { Logger } from '../log.js';
import type { Orchestrator, Peer } from '../orchestrator/api.js';
import { toRequestError } from './errors.js';

/**
 * Threadline's extras over ACP's extension mechanism (ACP.md §4): `_`-prefixed methods named
 * `_threadline/<verb>`, advertised under `agentCapabilities._meta.threadline`. Params are the
 * Threadline method's, with `sessionId` for `threadId`; clients that don't know them see plain ACP.
 */
export const EXTENSION_METHODS = [
  '_threadline/steer',
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

/** The params object with its `sessionId` (a string; optional only where the method allows none), or -32602. */
function withSession(raw: unknown, required: boolean): { sessionId?: string; rest: Record<string, unknown> } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw acp.RequestError.invalidParams(undefined, 'params must be an object');
  const { sessionId, ...rest } = raw as Record<string, unknown>;
  if (typeof sessionId === 'string' || (!required && sessionId === undefined)) return { sessionId: sessionId as string | undefined, rest };
  throw acp.RequestError.invalidParams({ field: 'sessionId' }, 'sessionId must be a string');
}

/** A Threadline method's params parser over `{ sessionId, … }`: a bad field is -32602 (the SDK maps zod errors). */
function sessionParams<M extends MethodName>(method: M, required = true) {
  return (raw: unknown): ParsedParamsOf<M> => {
    const { sessionId, rest } = withSession(raw, required);
    return Methods[method].params.parse(sessionId === undefined ? rest : { ...rest, threadId: sessionId }) as ParsedParamsOf<M>;
  };
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
}

/** Each handler answers Threadline errors with ACP's meaning (an unknown session is -32002). */
function guarded<P extends { threadId?: string }, R>(run: (p: P) => R | Promise<R>) {
  return async ({ params }: { params: P }): Promise<R> => {
    try {
      return await run(params);
    } catch (error) {
      throw toRequestError(error, params.threadId);
    }
  };
}

export function withExtensions(app: acp.AgentApp, { orchestrator, log, peer }: ExtensionDeps): acp.AgentApp {
  const fork = async (p: ParsedParamsOf<'thread/fork'>) => {
    const { thread, copiedTurns, droppedTurnId, originalUserText } = await orchestrator.forkThread(p);
    return { sessionId: thread.id, copiedTurns, droppedTurnId, originalUserText };
  };
  return (
    app
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
      // Into the running turn only: a steer on an idle session would start a turn no prompt answers.
      .onRequest(
        '_threadline/steer',
        sessionParams('thread/startTurn'),
        guarded(async (p: ParsedParamsOf<'thread/startTurn'>) => {
          const { thread } = await orchestrator.getThread(Methods['thread/get'].params.parse({ threadId: p.threadId }));
          const expectedTurnId = p.expectedTurnId ?? (thread.status === 'running' ? thread.latestTurnId : undefined);
          if (expectedTurnId === undefined) throw acp.RequestError.invalidRequest({ sessionId: p.threadId }, 'no turn is running to steer into');
          const { turn, queued } = await orchestrator.startTurn({ ...p, delivery: 'steer', expectedTurnId }, peer());
          return { turnId: turn.id, queued: queued ?? null };
        }),
      )
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
