import type * as z from 'zod/mini';
import type { ErrorDataSchemas } from './error-schemas.js';

/**
 * The error table of PROTOCOL.md §7, and one class per row, so that callers write
 * `err instanceof ThreadBusyError` on both sides of the wire.
 */
export const ErrorCodes = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  ServerNotInitialized: -32002,
  ThreadNotFound: -32001,
  TurnNotFound: -32003,
  AdmissionNotFound: -32004,
  RuleNotFound: -32005,
  ApprovalNotFound: -32006,
  ThreadBusy: -32010,
  NothingToEdit: -32011,
  ThreadArchived: -32012,
  Timeout: -32013,
  TurnMismatch: -32014,
  QueueFull: -32015,
  HostError: -32020,
  StorageError: -32030,
  ThreadLeased: -32040,
} as const;

export type ErrorName = keyof typeof ErrorCodes;
export type ErrorCode = (typeof ErrorCodes)[ErrorName];

/** `ThreadBusy` → `thread_busy`: the `data.kind` of every error. */
export function errorKind(name: ErrorName): string {
  return name.replace(/([a-z])([A-Z])/g, '$1_$2').toLowerCase();
}

export interface ErrorData {
  kind: string;
  [key: string]: unknown;
}

/** A zod issue as sent in `data.issues` of -32602. */
export interface ParamIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/** The `data` of error N as the schema defines it, e.g. `ErrorDataOf<'ThreadBusy'>`. */
export type ErrorDataOf<N extends ErrorName> = z.infer<(typeof ErrorDataSchemas)[N]>;
export type ThreadBusyErrorData = ErrorDataOf<'ThreadBusy'>;
export type TurnMismatchErrorData = ErrorDataOf<'TurnMismatch'>;
export type QueueFullErrorData = ErrorDataOf<'QueueFull'>;
export type ThreadLeasedErrorData = ErrorDataOf<'ThreadLeased'>;
export type InvalidParamsErrorData = ErrorDataOf<'InvalidParams'>;

/**
 * Any Threadline error; `D` is its `data`. Catch as `ThreadlineError` and narrow with
 * `instanceof ThreadBusyError` (then `data` is `ThreadBusyErrorData`), or switch on `code`.
 */
export class ThreadlineError<D extends ErrorData = ErrorData> extends Error {
  readonly code: ErrorCode;
  readonly kind: string;
  readonly data: D;

  constructor(name: ErrorName, message: string, data: Record<string, unknown> = {}) {
    super(message);
    this.name = `${name}Error`;
    this.code = ErrorCodes[name];
    this.kind = errorKind(name);
    this.data = { ...data, kind: this.kind } as unknown as D;
  }

  /** Rebuilds the typed error from an error response (what a client receives). */
  static fromResponse(code: number, message: string, data?: unknown): ThreadlineError {
    const name = (Object.keys(ErrorCodes) as ErrorName[]).find((n) => ErrorCodes[n] === code);
    const fields = data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
    const Ctor = name ? ERROR_CLASSES[name] : undefined;
    const error: ThreadlineError = Ctor
      ? Object.create(Ctor.prototype)
      : Object.create(ThreadlineError.prototype);
    Object.assign(error, {
      message,
      name: name ? `${name}Error` : 'ThreadlineError',
      code,
      kind: typeof fields.kind === 'string' ? fields.kind : name ? errorKind(name) : 'unknown',
      data: { ...fields, kind: typeof fields.kind === 'string' ? fields.kind : 'unknown' },
      stack: new Error(message).stack,
    });
    return error;
  }
}

export class ParseError extends ThreadlineError<ErrorDataOf<'ParseError'>> {
  constructor(message = 'Parse error: the message is not valid JSON', data: Record<string, unknown> = {}) {
    super('ParseError', message, data);
  }
}
export class InvalidRequestError extends ThreadlineError<ErrorDataOf<'InvalidRequest'>> {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('InvalidRequest', message, data);
  }
}
export class MethodNotFoundError extends ThreadlineError<ErrorDataOf<'MethodNotFound'>> {
  constructor(method: string) {
    super('MethodNotFound', `Unknown method "${method}"`, { method });
  }
}
export class InvalidParamsError extends ThreadlineError<ErrorDataOf<'InvalidParams'>> {
  constructor(message: string, issues: ParamIssue[]) {
    super('InvalidParams', message, { issues });
  }
}
export class InternalError extends ThreadlineError<ErrorDataOf<'InternalError'>> {
  constructor(message = 'Internal error', data: Record<string, unknown> = {}) {
    super('InternalError', message, data);
  }
}
export class ServerNotInitializedError extends ThreadlineError<ErrorDataOf<'ServerNotInitialized'>> {
  constructor(method: string) {
    super('ServerNotInitialized', `Server not initialized: send "initialize" before "${method}"`, { method });
  }
}
export class ThreadNotFoundError extends ThreadlineError<ErrorDataOf<'ThreadNotFound'>> {
  constructor(threadId: string) {
    super('ThreadNotFound', `Thread not found: ${threadId}`, { threadId });
  }
}
export class TurnNotFoundError extends ThreadlineError<ErrorDataOf<'TurnNotFound'>> {
  constructor(turnId: string) {
    super('TurnNotFound', `Turn not found: ${turnId}`, { turnId });
  }
}
export class AdmissionNotFoundError extends ThreadlineError<ErrorDataOf<'AdmissionNotFound'>> {
  constructor(admissionId: string, reason = 'not found') {
    super('AdmissionNotFound', `Admission ${reason}: ${admissionId}`, { admissionId });
  }
}
export class RuleNotFoundError extends ThreadlineError<ErrorDataOf<'RuleNotFound'>> {
  constructor(ruleId: string) {
    super('RuleNotFound', `Approval rule not found: ${ruleId}`, { ruleId });
  }
}
export class ApprovalNotFoundError extends ThreadlineError<ErrorDataOf<'ApprovalNotFound'>> {
  constructor(approvalId: string) {
    super('ApprovalNotFound', `Approval not found or no longer pending in this server process: ${approvalId}`, { approvalId });
  }
}
export class ThreadBusyError extends ThreadlineError<ErrorDataOf<'ThreadBusy'>> {
  constructor(threadId: string, runningTurnId?: string) {
    super('ThreadBusy', 'Thread already has an active turn', { threadId, runningTurnId });
  }
}
export class NothingToEditError extends ThreadlineError<ErrorDataOf<'NothingToEdit'>> {
  constructor(threadId: string, message = 'No user message to edit') {
    super('NothingToEdit', message, { threadId });
  }
}
export class ThreadArchivedError extends ThreadlineError<ErrorDataOf<'ThreadArchived'>> {
  constructor(threadId: string) {
    super('ThreadArchived', 'Thread is archived: unarchive it to start turns', { threadId });
  }
}
export class TimeoutError extends ThreadlineError<ErrorDataOf<'Timeout'>> {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('Timeout', message, data);
  }
}
export class TurnMismatchError extends ThreadlineError<ErrorDataOf<'TurnMismatch'>> {
  constructor(threadId: string, expectedTurnId: string, runningTurnId: string | null) {
    super(
      'TurnMismatch',
      runningTurnId
        ? `Turn ${expectedTurnId} is not the running turn (${runningTurnId} is)`
        : `Turn ${expectedTurnId} is not running (no turn is running)`,
      { threadId, expectedTurnId, runningTurnId },
    );
  }
}
export class QueueFullError extends ThreadlineError<ErrorDataOf<'QueueFull'>> {
  constructor(threadId: string, limit: number) {
    super('QueueFull', `Thread inbox is full (${limit} pending prompts)`, { threadId, limit });
  }
}
export class HostError extends ThreadlineError<ErrorDataOf<'HostError'>> {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('HostError', message, data);
  }
}
export class StorageError extends ThreadlineError<ErrorDataOf<'StorageError'>> {
  constructor(message: string, data: Record<string, unknown> = {}) {
    super('StorageError', message, data);
  }
}
export class ThreadLeasedError extends ThreadlineError<ErrorDataOf<'ThreadLeased'>> {
  constructor(threadId: string, ownerPid: number, leaseExpiresAt: string) {
    super('ThreadLeased', `Thread is leased by another server process (pid ${ownerPid})`, {
      threadId,
      ownerPid,
      leaseExpiresAt,
    });
  }
}

const ERROR_CLASSES: Record<ErrorName, { prototype: ThreadlineError }> = {
  ParseError,
  InvalidRequest: InvalidRequestError,
  MethodNotFound: MethodNotFoundError,
  InvalidParams: InvalidParamsError,
  InternalError,
  ServerNotInitialized: ServerNotInitializedError,
  ThreadNotFound: ThreadNotFoundError,
  TurnNotFound: TurnNotFoundError,
  AdmissionNotFound: AdmissionNotFoundError,
  RuleNotFound: RuleNotFoundError,
  ApprovalNotFound: ApprovalNotFoundError,
  ThreadBusy: ThreadBusyError,
  NothingToEdit: NothingToEditError,
  ThreadArchived: ThreadArchivedError,
  Timeout: TimeoutError,
  TurnMismatch: TurnMismatchError,
  QueueFull: QueueFullError,
  HostError,
  StorageError,
  ThreadLeased: ThreadLeasedError,
};

/** PROTOCOL.md §7 rows, for the `x-errors` of the JSON Schema and for docs. */
export const ERROR_TABLE = (Object.keys(ErrorCodes) as ErrorName[]).map((name) => ({
  name,
  code: ErrorCodes[name],
  kind: errorKind(name),
}));

