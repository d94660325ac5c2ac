import * as acp from '@agentclientprotocol/sdk';
import { Methods, type MethodName, type ParsedParamsOf } from '@threadline/protocol';
import { invalidParams, toRequestError } from './errors.js';

/** The params object with its `sessionId` (a string; optional only where the method allows none), or -32602. */
export function withSession(raw: unknown, required: boolean): { sessionId?: string; rest: Record<string, unknown> } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw acp.RequestError.invalidParams(undefined, 'params must be an object');
  const { sessionId, ...rest } = raw as Record<string, unknown>;
  if (typeof sessionId === 'string' || (!required && sessionId === undefined)) return { sessionId: sessionId as string | undefined, rest };
  throw acp.RequestError.invalidParams({ field: 'sessionId' }, 'sessionId must be a string');
}

/** A Threadline method's params parser over `{ sessionId, … }`: a bad field is -32602 naming it. */
export function sessionParams<M extends MethodName>(method: M, required = true) {
  return (raw: unknown): ParsedParamsOf<M> => {
    const { sessionId, rest } = withSession(raw, required);
    const parsed = Methods[method].params.safeParse(sessionId === undefined ? rest : { ...rest, threadId: sessionId });
    if (parsed.success) return parsed.data as ParsedParamsOf<M>;
    throw invalidParams(parsed.error);
  };
}

/** Each handler answers Threadline errors with ACP's meaning (an unknown session is -32002). */
export function guarded<P extends { threadId?: string }, R>(run: (p: P) => R | Promise<R>) {
  return async ({ params }: { params: P }): Promise<R> => {
    try {
      return await run(params);
    } catch (error) {
      throw toRequestError(error, params.threadId);
    }
  };
}

