import * as z from 'zod/mini';
import type { EngineApprovalRequest } from '../port.js';

/**
 * The structured fields of an engine's `approval.request`, the host port's own (`tool`,
 * `command`, `path`): approval rules match on them and the proposed rule is made from them. Each
 * may be left out (the client is then always asked), but one that is given must be a string: a
 * rule deciding on a value the engine did not mean is worse than a failed turn.
 */
const StructuredFields = z.object({
  tool: z.optional(z.string()),
  command: z.optional(z.string()),
  path: z.optional(z.string()),
});

export type ParsedApprovalRequest = { ok: true; request: EngineApprovalRequest } | { ok: false; problem: string };

/**
 * The port's approval request from an engine's message. `itemKey`, `kind`, `summary` and
 * `detail` go on as sent: Threadline validates them like any host's (docs/hosts.md).
 */
export function parseApprovalRequest(m: Record<string, unknown>): ParsedApprovalRequest {
  const parsed = StructuredFields.safeParse(m);
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0]);
    return { ok: false, problem: `the engine wrote an approval.request whose "${field}" is not a string: ${describe(m[field])}` };
  }
  const request = { itemKey: m.itemKey, kind: m.kind, summary: m.summary, detail: m.detail } as EngineApprovalRequest;
  for (const key of ['tool', 'command', 'path'] as const) if (parsed.data[key] !== undefined) request[key] = parsed.data[key];
  return { ok: true, request };
}

/** The offending value as JSON, cut short: the message must stay readable whatever was sent. */
function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 100 ? `${json.slice(0, 100)}…` : json;
}
