import { RequestError } from '@agentclientprotocol/sdk';
import { ThreadlineError, ThreadNotFoundError } from '@threadline/protocol';
import { $ZodError } from 'zod/v4/core';

/**
 * -32602 naming the first bad field (`data.field`, `data.message`). The SDK turns only classic
 * zod's errors into -32602 (it knows them by name); the protocol's schemas are zod/mini's.
 */
export function invalidParams(error: $ZodError, message?: string): RequestError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') ?? '';
  const text = message ?? (field === '' ? (issue?.message ?? 'invalid params') : `${field}: ${issue!.message}`);
  return RequestError.invalidParams({ field, message: text }, text);
}

/**
 * ACP meanings for Threadline errors (ACP.md trap 6): an unknown thread is ACP's -32002 with
 * `data.sessionId`; other Threadline errors keep their code, message and `data.kind`; params a
 * protocol schema refused are -32602.
 */
export function toRequestError(error: unknown, sessionId?: string): unknown {
  if (error instanceof ThreadNotFoundError && sessionId !== undefined) return RequestError.sessionNotFound(sessionId);
  if (error instanceof ThreadlineError) return new RequestError(error.code, error.message, error.data);
  if (error instanceof $ZodError) return invalidParams(error);
  return error;
}
