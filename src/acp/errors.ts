import { RequestError } from '@agentclientprotocol/sdk';
import { ThreadlineError, ThreadNotFoundError } from '@threadline/protocol';

/**
 * ACP meanings for Threadline errors (ACP.md trap 6): an unknown thread is ACP's -32002 with
 * `data.sessionId`; other Threadline errors keep their code, message and `data.kind`.
 */
export function toRequestError(error: unknown, sessionId?: string): unknown {
  if (error instanceof ThreadNotFoundError && sessionId !== undefined) return RequestError.sessionNotFound(sessionId);
  if (error instanceof ThreadlineError) return new RequestError(error.code, error.message, error.data);
  return error;
}
