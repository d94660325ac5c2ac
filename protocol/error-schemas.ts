import { z } from 'zod';
import { ErrorCodes, errorKind, type ErrorName } from './errors.js';
import { named } from './registry.js';

const data = <T extends z.ZodRawShape>(name: ErrorName, shape: T) =>
  z.object({ kind: z.literal(errorKind(name)), ...shape }).loose();

const IssueSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  message: z.string(),
  code: z.string().optional(),
});

/** The `data` of each error of PROTOCOL.md §7: `kind` plus what names the offending thing. */
export const ErrorDataSchemas = {
  ParseError: data('ParseError', {}),
  InvalidRequest: data('InvalidRequest', {}),
  MethodNotFound: data('MethodNotFound', { method: z.string().optional() }),
  InvalidParams: data('InvalidParams', { issues: z.array(IssueSchema) }),
  InternalError: data('InternalError', {}),
  ServerNotInitialized: data('ServerNotInitialized', { method: z.string() }),
  ThreadNotFound: data('ThreadNotFound', { threadId: z.string() }),
  TurnNotFound: data('TurnNotFound', { turnId: z.string() }),
  AdmissionNotFound: data('AdmissionNotFound', { admissionId: z.string() }),
  ThreadBusy: data('ThreadBusy', { threadId: z.string(), runningTurnId: z.string().optional() }),
  NothingToEdit: data('NothingToEdit', { threadId: z.string() }),
  ThreadArchived: data('ThreadArchived', { threadId: z.string() }),
  Timeout: data('Timeout', { turnId: z.string().optional(), timeoutMs: z.number().optional() }),
  TurnMismatch: data('TurnMismatch', {
    threadId: z.string(),
    expectedTurnId: z.string(),
    runningTurnId: z.string().nullable(),
  }),
  QueueFull: data('QueueFull', { threadId: z.string(), limit: z.number().int() }),
  HostError: data('HostError', { threadId: z.string().optional(), turnId: z.string().optional(), host: z.string().optional() }),
  StorageError: data('StorageError', { sqliteCode: z.string().optional(), retryable: z.boolean().optional() }),
  ThreadLeased: data('ThreadLeased', { threadId: z.string(), ownerPid: z.number().int(), leaseExpiresAt: z.string() }),
} satisfies Record<ErrorName, z.ZodType>;

for (const name of Object.keys(ErrorDataSchemas) as ErrorName[]) {
  named(`${name}ErrorData`, `data of error ${ErrorCodes[name]} (${name})`, ErrorDataSchemas[name]);
}

export const ErrorObjectSchema = named(
  'ErrorObject',
  'A JSON-RPC error as Threadline sends it: `data.kind` always names the error (PROTOCOL.md §7).',
  z.object({
    code: z.number().int(),
    message: z.string(),
    data: z.object({ kind: z.string() }).loose(),
  }),
);
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;
