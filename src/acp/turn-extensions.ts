import * as acp from '@agentclientprotocol/sdk';
import { Methods, ThreadLeasedError, type ParsedParamsOf } from '@threadline/protocol';
import type { Orchestrator, Peer } from '../orchestrator/api.js';
import type { RunTurn } from './agent.js';
import { toRequestError } from './errors.js';
import { guarded, sessionParams } from './extension-params.js';

export interface TurnExtensionDeps {
  orchestrator: Orchestrator;
  peer: () => Peer;
  runTurn: RunTurn;
}

/**
 * The extensions that start or feed turns: edit the last prompt, steer, and edit the queue.
 *
 * `_threadline/edit_last_turn` behaves like the `session/prompt` it replaces, because an editor
 * treats an edited message as a new send: the new turn's reply streams as `session/update` and the
 * request answers `{ stopReason, _meta.threadline: { turnId, supersededTurnId, usage } }` when
 * that turn ends; session/cancel answers it `cancelled`. The editor already shows the text it
 * sent, so no user_message_chunk is echoed. A running turn refuses it (-32010, cancel first);
 * nothing to edit is -32011.
 */
export function withTurnExtensions(app: acp.AgentApp, { orchestrator, peer, runTurn }: TurnExtensionDeps): acp.AgentApp {
  return (
    app
      .onRequest('_threadline/edit_last_turn', sessionParams('thread/editLastTurn'), (context) =>
        runTurn(context.params.threadId, context, (deps, threadId) => deps.orchestrator.editLastTurn({ ...context.params, threadId }, deps.peer)),
      )
      /**
       * Into the running turn. On an idle session with prompts queued (left by a restart, or a turn
       * that ended between the editor's look and this call) the oldest queued prompt is started
       * first — its own session/prompt answers when it ends — and the steer joins it. An idle
       * session with nothing queued refuses it: the steer would start a turn no prompt answers.
       */
      .onRequest(
        '_threadline/steer',
        sessionParams('thread/startTurn'),
        guarded(async (p: ParsedParamsOf<'thread/startTurn'>) => {
          const expectedTurnId = p.expectedTurnId ?? (await runningOrDrained(orchestrator, p.threadId, peer()));
          if (expectedTurnId === undefined) throw acp.RequestError.invalidRequest({ sessionId: p.threadId }, 'no turn is running to steer into');
          const { turn, queued } = await orchestrator.startTurn({ ...p, delivery: 'steer', expectedTurnId }, peer());
          return { turnId: turn.id, queued: queued ?? null };
        }),
      )
      // Steering into a queued prompt is editing it: its text is replaced, its place kept.
      .onRequest(
        '_threadline/update_queued',
        sessionParams('thread/updateQueued'),
        guarded((p: ParsedParamsOf<'thread/updateQueued'>) => orchestrator.updateQueued(p, peer())),
      )
      .onRequest(
        '_threadline/reorder_queued',
        sessionParams('thread/reorderQueued'),
        guarded((p: ParsedParamsOf<'thread/reorderQueued'>) => orchestrator.reorderQueued(p, peer())),
      )
  );
}

/**
 * The turn a steer joins: on an idle thread (also one whose dead owner's turn is taken over here)
 * the turn `thread/drain` starts from the queue, else the running one. A thread another live
 * process runs is left to the steer to refuse (-32040).
 */
async function runningOrDrained(orchestrator: Orchestrator, threadId: string, peer: Peer): Promise<string | undefined> {
  try {
    const { turn } = await orchestrator.drain(Methods['thread/drain'].params.parse({ threadId }), peer);
    if (turn) return turn.id;
  } catch (error) {
    if (!(error instanceof ThreadLeasedError)) throw toRequestError(error, threadId);
  }
  const { thread } = await orchestrator.getThread(Methods['thread/get'].params.parse({ threadId }));
  return thread.status === 'running' ? thread.latestTurnId : undefined;
}
