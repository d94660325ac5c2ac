import * as z from 'zod/mini';
import { doc, lazy, named } from '../registry.js';
import { itemSchema, threadSchema, timestampSchema, turnSchema } from '../schemas.js';
import { method, type MethodSpec } from './spec.js';
import { boundedText, MAX_METADATA_DEPTH, nestingDepth, optionalText, positiveInt, TEXT_LIMITS, threadField, threadIdParam } from './params.js';

/** Reporting operations (PROTOCOL.md §12): search, export/import, the usage report. */

/** What one import may hold: the document arrives in one message (the message cap applies too). */
export const IMPORT_LIMITS = { turns: 10_000, itemsPerTurn: 10_000, messages: 10_000, queryChars: 1000 } as const;
/** The one document format this server writes and the newest version it reads. */
export const THREAD_DOCUMENT_FORMAT = 'threadline.thread';
export const THREAD_DOCUMENT_VERSION = 1;

const ThreadSearchParamsSchema = lazy(() => named(
  'ThreadSearchParams',
  'Find threads whose title or user/agent messages contain these words (or words starting with them).',
  z.object({
    query: doc(
      'Words to find, case-insensitively; each also matches as a word prefix. Operators and punctuation are plain text.',
      boundedText('query', IMPORT_LIMITS.queryChars),
    ),
    limit: doc('Page size, 1..100.', z._default(positiveInt('limit').check(z.gte(1), z.lte(100)), 20)),
    cursor: doc('`nextCursor` of the previous page (same query); absent for the first.', z.optional(z.string())),
    archived: doc('Search archived threads instead of the others.', z._default(z.boolean(), false)),
  }),
));
const searchHitSchema = lazy(() => named(
  'SearchHit',
  'One matching title or message.',
  z.object({
    thread: doc('The thread it belongs to.', threadSchema()),
    snippet: doc('The matching text around the hit, at most 200 characters (`…` marks a cut).', z.string()),
    turnId: doc('The turn of the matching message; null for a title hit.', z.nullable(z.string())),
    itemId: doc('The matching message item; null for a title hit.', z.nullable(z.string())),
  }),
));
const ThreadSearchResultSchema = lazy(() => named(
  'ThreadSearchResult',
  'One page of hits, best match first; `nextCursor` is absent on the last page.',
  z.object({
    results: doc('Hits, best first. A thread appears once per matching title or message.', z.array(searchHitSchema())),
    nextCursor: doc('Opaque; pass it as `cursor` with the same query for the next page.', z.optional(z.string())),
  }),
));

/** Version 1 only; a newer one says so (a client can tell "upgrade the server" from "broken file"). */
const versionField = lazy(() =>
  z.literal(THREAD_DOCUMENT_VERSION, {
    error: (issue) =>
      typeof issue.input === 'number' && issue.input > THREAD_DOCUMENT_VERSION
        ? `document version ${issue.input} is newer than this server reads (${THREAD_DOCUMENT_VERSION})`
        : `document version must be ${THREAD_DOCUMENT_VERSION}`,
  }),
);

/** Built (and registered) on the first call; {@link ThreadDocumentSchema} is the same schema, built on import. */
export const threadDocumentSchema = lazy(() =>
  named(
    'ThreadDocument',
    'A thread written out by `thread/export` and read by `thread/import`: its record and every turn with its items.',
    z.object({
      format: doc('Always `threadline.thread`.', z.literal(THREAD_DOCUMENT_FORMAT, { error: `document format must be "${THREAD_DOCUMENT_FORMAT}"` })),
      version: doc('The document version (1).', versionField()),
      exportedAt: doc('When it was exported (ISO-8601 UTC).', timestampSchema()),
      thread: doc('The thread as it was exported.', threadSchema()),
      turns: doc(
        'Every turn (reverted, superseded and compacted ones too) in order, with its items in order.',
        z
          .array(
            z.object({
              turn: doc('The turn.', turnSchema()),
              items: doc("The turn's items in order.", z.array(itemSchema()).check(z.maxLength(IMPORT_LIMITS.itemsPerTurn))),
            }),
          )
          .check(z.maxLength(IMPORT_LIMITS.turns)),
      ),
    }).check(z.superRefine((d, ctx) => {
      // The new thread's record obeys thread/create's bounds; nothing nests deeper than metadata may.
      const bounds = { title: TEXT_LIMITS.title, model: TEXT_LIMITS.name, mode: TEXT_LIMITS.name, systemPrompt: TEXT_LIMITS.systemPrompt } as const;
      for (const [field, max] of Object.entries(bounds)) {
        const value = d.thread[field as keyof typeof bounds];
        if (value !== undefined && value.length > max) ctx.addIssue({ code: 'custom', path: ['thread', field], message: `${field} is longer than ${max} characters` });
      }
      // Turn ids name turns (supersededBy points at one): each once.
      const seen = new Set<string>();
      d.turns.forEach(({ turn }, i) => {
        if (seen.has(turn.id)) ctx.addIssue({ code: 'custom', path: ['turns', i, 'turn', 'id'], message: `turn ${turn.id} appears twice` });
        seen.add(turn.id);
      });
      if (nestingDepth(d) > MAX_METADATA_DEPTH) ctx.addIssue({ code: 'custom', path: [], message: `the document is nested more than ${MAX_METADATA_DEPTH} levels deep` });
      else if (JSON.stringify(d.thread.metadata).length > TEXT_LIMITS.metadataJson) {
        ctx.addIssue({ code: 'custom', path: ['thread', 'metadata'], message: `metadata is longer than ${TEXT_LIMITS.metadataJson} characters of JSON` });
      }
    })),
  ),
);
export const ThreadDocumentSchema = /* @__PURE__ */ threadDocumentSchema();
export type ThreadDocument = z.infer<typeof ThreadDocumentSchema>;

const ThreadExportParamsSchema = lazy(() => named('ThreadExportParams', 'Which thread to write out.', z.object({ threadId: threadIdParam() })));
const ThreadExportResultSchema = lazy(() => named(
  'ThreadExportResult',
  "The thread's document (no inbox, no events).",
  z.object({ document: doc('The document.', threadDocumentSchema()) }),
));

const transcriptMessageSchema = lazy(() =>
  z.object({
    role: doc('Who wrote it.', z.enum(['user', 'assistant'])),
    text: doc('The message text.', z.string({ error: 'text must be a string' })),
  }),
);
const ThreadImportParamsSchema = lazy(() => named(
  'ThreadImportParams',
  'A new thread from an exported document, or from a plain transcript (`messages`): give one of the two.',
  z
    .object({
      document: doc('A `thread/export` document.', z.optional(threadDocumentSchema())),
      messages: doc(
        'A transcript: each user message with the assistant messages after it becomes one completed turn.',
        z.optional(z.array(transcriptMessageSchema()).check(z.minLength(1, 'messages must not be empty'), z.maxLength(IMPORT_LIMITS.messages))),
      ),
      title: doc("With `messages`: the new thread's title.", optionalText('title', TEXT_LIMITS.title)),
    })
    .check(
      z.superRefine((p, ctx) => {
        if ((p.document === undefined) === (p.messages === undefined)) {
          ctx.addIssue({ code: 'custom', path: ['document'], message: 'give document or messages (exactly one)' });
        }
      }),
    ),
));
const ThreadImportResultSchema = lazy(() => named(
  'ThreadImportResult',
  'The new thread and how many turns it got.',
  z.object({ thread: threadField(), importedTurns: doc('Turns written into the new thread.', z.number().check(z.int(), z.nonnegative())) }),
));

const isoInstant = (name: string) =>
  z.optional(z.iso.datetime({ offset: true, error: `${name} must be an ISO-8601 date-time (e.g. 2026-01-31T00:00:00Z)` }));

const UsageReportParamsSchema = lazy(() => named(
  'UsageReportParams',
  'Usage of ended turns (completed, failed, interrupted) created in [since, until], grouped by day, model or thread.',
  z
    .object({
      groupBy: doc('`day` (UTC `YYYY-MM-DD`), `model` (the model each turn ran with) or `thread`.', z.enum(['day', 'model', 'thread'])),
      since: doc('Only turns created at or after this instant (ISO-8601).', isoInstant('since')),
      until: doc('Only turns created at or before this instant (ISO-8601).', isoInstant('until')),
      threadId: doc('Only this thread.', z.optional(threadIdParam())),
    })
    .check(
      z.superRefine((p, ctx) => {
        if (p.since !== undefined && p.until !== undefined && Date.parse(p.since) > Date.parse(p.until)) {
          ctx.addIssue({ code: 'custom', path: ['since'], message: 'since is after until' });
        }
      }),
    ),
));
/** Built (and registered) on the first call; {@link UsageBucketSchema} is the same schema, built on import. */
export const usageBucketSchema = lazy(() =>
  named(
    'UsageBucket',
    "One group's usage (or the total of all groups).",
    z.object({
      key: doc('The UTC day, the model (`unknown` when none), or the thread id; `total` for the total.', z.string()),
      turns: doc('Turns counted.', z.number().check(z.int(), z.nonnegative())),
      inputTokens: doc('Summed input tokens.', z.number().check(z.int(), z.nonnegative())),
      cachedInputTokens: doc('Summed cached input tokens.', z.number().check(z.int(), z.nonnegative())),
      outputTokens: doc('Summed output tokens.', z.number().check(z.int(), z.nonnegative())),
      reasoningTokens: doc('Summed reasoning tokens.', z.number().check(z.int(), z.nonnegative())),
      costUsd: doc('Summed price; null when no turn of the group had a price.', z.nullable(z.number().check(z.nonnegative()))),
      cacheHitRate: doc('cachedInputTokens / inputTokens; null when inputTokens is 0.', z.nullable(z.number().check(z.nonnegative()))),
    }),
  ),
);
export const UsageBucketSchema = /* @__PURE__ */ usageBucketSchema();
export type UsageBucket = z.infer<typeof UsageBucketSchema>;
const UsageReportResultSchema = lazy(() => named(
  'UsageReportResult',
  'The groups sorted by key, and their total.',
  z.object({ buckets: doc('One per key, sorted by key.', z.array(usageBucketSchema())), total: doc('All groups together.', usageBucketSchema()) }),
));

export const ReportingMethods = {
  'thread/search': method(ThreadSearchParamsSchema, ThreadSearchResultSchema, []),
  'thread/export': method(ThreadExportParamsSchema, ThreadExportResultSchema, ['ThreadNotFound']),
  'thread/import': method(ThreadImportParamsSchema, ThreadImportResultSchema, []),
  'usage/report': method(UsageReportParamsSchema, UsageReportResultSchema, ['ThreadNotFound']),
} as const satisfies Record<string, MethodSpec>;
