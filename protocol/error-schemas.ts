import * as z from 'zod/mini';
import { ErrorCodes, errorKind, type ErrorName } from './errors.js';
import { doc, lazy, named } from './registry.js';

const data = <T extends z.core.$ZodShape>(name: ErrorName, shape: T) =>
  z.looseObject({ kind: doc(`Always \`${errorKind(name)}\`.`, z.literal(errorKind(name))), ...shape });

/**
 * The `data` of each error of PROTOCOL.md §7: `kind` plus what names the offending thing. Built on
 * first use ({@link errorDataSchemas}): a server sends these, it never validates them.
 */
function buildErrorData() {
  const IssueSchema = z.object({
    path: doc('Where in params: keys and array indexes.', z.array(z.union([z.string(), z.number()]))),
    message: doc('What is wrong, in words.', z.string()),
    code: doc("zod's issue code (`invalid_type`, `too_big`…).", z.optional(z.string())),
  });

  const threadId = doc('The thread the call named.', z.string());

  return {
    ParseError: data('ParseError', {}),
    InvalidRequest: data('InvalidRequest', {}),
    MethodNotFound: data('MethodNotFound', { method: doc('The unknown method.', z.optional(z.string())) }),
    InvalidParams: data('InvalidParams', { issues: doc('Every problem found in params.', z.array(IssueSchema)) }),
    InternalError: data('InternalError', {}),
    ServerNotInitialized: data('ServerNotInitialized', { method: doc('The method sent before `initialize`.', z.string()) }),
    ThreadNotFound: data('ThreadNotFound', { threadId: doc('The unknown thread id.', z.string()) }),
    TurnNotFound: data('TurnNotFound', { turnId: doc('The unknown turn id.', z.string()) }),
    AdmissionNotFound: data('AdmissionNotFound', { admissionId: doc('The unknown or no longer pending admission id.', z.string()) }),
    RuleNotFound: data('RuleNotFound', { ruleId: doc('The unknown approval rule id.', z.string()) }),
    ApprovalNotFound: data('ApprovalNotFound', { approvalId: doc('The unknown, already decided or other process\'s approval id.', z.string()) }),
    ThreadBusy: data('ThreadBusy', { threadId, runningTurnId: doc('The turn that runs.', z.optional(z.string())) }),
    NothingToEdit: data('NothingToEdit', { threadId }),
    ThreadArchived: data('ThreadArchived', { threadId }),
    Timeout: data('Timeout', {
      turnId: doc('The turn waited for.', z.optional(z.string())),
      timeoutMs: doc('The wait that elapsed, in milliseconds.', z.optional(z.number())),
    }),
    TurnMismatch: data('TurnMismatch', {
      threadId,
      expectedTurnId: doc('The turn the call expected to be running.', z.string()),
      runningTurnId: doc('The turn that runs, or null when none does.', z.nullable(z.string())),
    }),
    QueueFull: data('QueueFull', { threadId, limit: doc('The `--max-queued` limit reached.', z.number().check(z.int())) }),
    HostError: data('HostError', {
      threadId: doc('The thread of the failed turn.', z.optional(z.string())),
      turnId: doc('The failed turn (persisted `failed`).', z.optional(z.string())),
      host: doc('The host that failed (`echo`, `openai`, a module path).', z.optional(z.string())),
    }),
    StorageError: data('StorageError', {
      sqliteCode: doc('SQLite\'s code (`SQLITE_FULL`, `SQLITE_BUSY`, `SQLITE_READONLY`…).', z.optional(z.string())),
      retryable: doc('Whether the same call may succeed later (full disk, lock) or not (read-only file).', z.optional(z.boolean())),
    }),
    ThreadLeased: data('ThreadLeased', {
      threadId,
      ownerPid: doc('Pid of the server process that runs the turn.', z.number().check(z.int())),
      leaseExpiresAt: doc('When its lease expires unless renewed (ISO-8601 UTC).', z.string()),
    }),
  } satisfies Record<ErrorName, z.ZodMiniType>;
}

/** When each error is answered (PROTOCOL.md §7): the `x-errors` table and docs/PROTOCOL.md use it. */
export const ERROR_WHEN: Record<ErrorName, string> = {
  ParseError: 'The message is not valid JSON.',
  InvalidRequest: 'Not a JSON-RPC request, a batch, larger than `--max-message-bytes`, a second `initialize`, or any request after `shutdown`.',
  MethodNotFound: 'No such method.',
  InvalidParams: 'Params fail validation (`data.issues`), or an unsupported `protocolVersion`, a bad cursor, a prompt over `--max-prompt-bytes`.',
  InternalError: 'A bug in the server; the call changed nothing.',
  ServerNotInitialized: 'A request before `initialize`.',
  ThreadNotFound: 'Unknown `threadId`.',
  TurnNotFound: 'Unknown `turnId`.',
  AdmissionNotFound: 'Unknown or no longer pending `admissionId`.',
  RuleNotFound: 'Unknown `ruleId` (never made, or revoked).',
  ApprovalNotFound: 'Unknown `approvalId`, or the approval is decided already (stale), or another server process asked it.',
  ThreadBusy: 'A turn is running and the call needs an idle thread (`startTurn` without `delivery`, `editLastTurn`, `delete`).',
  NothingToEdit: 'No user message to edit.',
  ThreadArchived: '`startTurn`, `editLastTurn` or `drain` on an archived thread (reads, `update`, `unarchive`, `delete` work).',
  Timeout: '`turn/wait` timed out.',
  TurnMismatch: '`expectedTurnId` / `turnId` is not the running turn.',
  QueueFull: "The thread's inbox holds `--max-queued` pending admissions.",
  HostError: 'The engine host failed to load or start the turn (the turn is persisted `failed`).',
  StorageError: 'The database refused the write (disk full, read-only, locked); nothing was half-written.',
  ThreadLeased: "Another server process on the same database file runs this thread's turn.",
};

/** The error data schemas, built (and registered as `<Name>ErrorData`) on the first call. */
export const errorDataSchemas = lazy(() => {
  const schemas = buildErrorData();
  for (const name of Object.keys(schemas) as ErrorName[]) {
    named(`${name}ErrorData`, `\`data\` of error ${ErrorCodes[name]} ${name}: ${ERROR_WHEN[name]}`, schemas[name]);
  }
  return schemas;
});
/** {@link errorDataSchemas} built: importing it builds them, so the protocol's own modules call the function. */
export const ErrorDataSchemas: ReturnType<typeof buildErrorData> = /* @__PURE__ */ errorDataSchemas();

/** A whole error object, built (and registered) on the first call. */
export const errorObjectSchema = lazy(() => named(
  'ErrorObject',
  'A JSON-RPC error as Threadline sends it: `data.kind` always names the error (PROTOCOL.md §7).',
  z.object({
    code: doc('The error code (the table of PROTOCOL.md §7).', z.number().check(z.int())),
    message: doc('Human-readable; do not parse it.', z.string()),
    data: doc(
      'Machine-readable details: `kind` and the fields of the `<Name>ErrorData` definition.',
      z.looseObject({ kind: doc('The error name in snake_case (`thread_busy`).', z.string()) }),
    ),
  }),
));
/** {@link errorObjectSchema} built (importing it builds it). */
export const ErrorObjectSchema = /* @__PURE__ */ errorObjectSchema();
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;
