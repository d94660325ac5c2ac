import { ResponseError } from 'vscode-jsonrpc/node';
// zod's core by name: a namespace import of it would keep all of it in the bundle.
import { $ZodError } from 'zod/v4/core';
import { InternalError, InvalidParamsError, StorageError, ThreadlineError, type ParamIssue } from '@threadline/protocol';
import type { Logger } from '../log.js';
import { storeFailure } from '../store/store-errors.js';

/**
 * The one place a failure becomes a JSON-RPC error. Domain errors carry their code; zod errors
 * are -32602 with the issues; SQLite refusals are -32030; anything else is a bug, logged in
 * full to stderr and answered -32603 without internals.
 */
export function toResponseError(error: unknown, log: Logger, method: string): ResponseError<unknown> {
  const typed = toThreadlineError(error, log, method);
  return new ResponseError(typed.code, typed.message, typed.data);
}

export function toThreadlineError(error: unknown, log: Logger, method: string): ThreadlineError {
  if (error instanceof ThreadlineError) return error;
  if (error instanceof $ZodError) return invalidParams(error);
  // Whether it may be retried is the store's call (store/store-errors.ts), the same a running turn asks.
  const failure = storeFailure(error);
  if (failure?.backend === 'sqlite') {
    log.warn(`${method}: the database refused the write`, { sqliteCode: failure.code, message: failure.message });
    return new StorageError(`The database refused the write (${failure.code}): ${failure.message}`, {
      sqliteCode: failure.code,
      retryable: failure.retryable,
    });
  }
  // The Postgres store's failure: its message holds no password.
  if (failure?.backend === 'postgres') {
    log.warn(`${method}: the database refused the call`, { pgCode: failure.code, message: failure.message });
    return new StorageError(`The database refused the call (${failure.code}): ${failure.message}`, { pgCode: failure.code, retryable: failure.retryable });
  }
  log.error(`${method}: internal error`, { error });
  return new InternalError(`Internal error while handling ${method}`);
}

/** -32602 whose message names the fields and whose `data.issues` carries each zod issue's path. */
export function invalidParams(error: $ZodError): InvalidParamsError {
  const issues: ParamIssue[] = error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.message,
    code: issue.code,
  }));
  return new InvalidParamsError(issues.map(describeIssue).join('; '), issues);
}

function describeIssue(issue: ParamIssue): string {
  if (issue.path.length === 0) return issue.message;
  const field = issue.path.join('.');
  // Our own messages already name the field ("prompt is required"); zod's do not.
  return issue.message.startsWith(String(issue.path[issue.path.length - 1])) ? issue.message : `${field}: ${issue.message}`;
}
