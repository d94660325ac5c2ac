import * as z from 'zod/mini';
import { doc, lazy, named } from './registry.js';

/**
 * A thread's own MCP servers (`thread/create { mcpServers }`), in ACP's `session/new` shape, so an
 * ACP client's list passes through unchanged. Env and header values are secrets: stored, given to
 * the server, and shown nowhere else (`thread.mcpServers` carries them as `REDACTED`: mcp-redact.ts).
 */

// Each schema is built on first use (a server builds them only when a thread names servers);
// the exported constants are the same schemas, built on import.
const name = lazy(() =>
  z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(128, 'at most 128 characters'), z.regex(/^[^\u0000-\u001f\u007f]+$/, 'no control characters')),
);
const pair = lazy(() => z.object({
  name: doc('The variable or header name.', z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(1024))),
  value: doc('Its value: a secret, shown nowhere once stored.', z.string().check(z.maxLength(64 * 1024))),
}));

export const mcpStdioServerSchema = lazy(() => z.object({
  type: doc('Absent or `"stdio"`: a command Threadline spawns.', z.optional(z.literal('stdio'))),
  name: doc('The server name its tools are prefixed with (`mcp__<name>__<tool>`).', name()),
  command: doc('The program to run (absolute, or found on PATH).', z.string().check(z.minLength(1, 'must not be empty'), z.maxLength(4096))),
  args: doc('Its arguments.', z.array(z.string().check(z.maxLength(64 * 1024))).check(z.maxLength(1000))),
  env: doc('Variables added to the minimal environment the server gets; the values are secrets.', z.array(pair()).check(z.maxLength(1000))),
}));
export const McpStdioServerSchema = /* @__PURE__ */ mcpStdioServerSchema();
export const mcpHttpServerSchema = lazy(() => z.object({
  type: doc('`"http"`: a streamable HTTP server.', z.literal('http')),
  name: doc('The server name its tools are prefixed with (`mcp__<name>__<tool>`).', name()),
  url: doc('The http(s) URL of its MCP endpoint.', z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })),
  headers: doc('Headers sent with every request; the values are secrets.', z.array(pair()).check(z.maxLength(1000))),
}));
export const McpHttpServerSchema = /* @__PURE__ */ mcpHttpServerSchema();

export const mcpServerSpecSchema = lazy(() =>
  named(
    'McpServerSpec',
    "An MCP server of one thread, in ACP's shape: a stdio command, or a streamable HTTP endpoint.",
    z.union([mcpHttpServerSchema(), mcpStdioServerSchema()], { error: unionMessage }),
  ),
);
export const McpServerSpecSchema = /* @__PURE__ */ mcpServerSpecSchema();

/**
 * zod says only "Invalid input" for a union: name the field of the branch the entry meant (a
 * `url` or `type: "http"` means HTTP, anything else stdio) and what is wrong with it.
 */
function unionMessage(issue: { code?: string; input?: unknown; errors?: { path: PropertyKey[]; message: string }[][] }): string | undefined {
  if (issue.code !== 'invalid_union' || !issue.errors) return undefined;
  const input = issue.input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'must be an object: { name, command, args, env } or { type: "http", name, url, headers }';
  const http = 'url' in input || (input as { type?: unknown }).type === 'http';
  const first = issue.errors[http ? 0 : 1]?.[0];
  if (!first) return undefined;
  const field = first.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${field}: ${first.message}`;
}
export type McpServerSpec = z.infer<typeof McpServerSpecSchema>;

/** At most this many servers per thread: each is a process or a connection. */
export const MAX_THREAD_MCP_SERVERS = 32;

export const mcpServerListSchema = lazy(() =>
  z.array(mcpServerSpecSchema()).check(
    z.maxLength(MAX_THREAD_MCP_SERVERS),
    z.superRefine((servers, ctx) => {
      const seen = new Set<string>();
      for (const [i, server] of servers.entries()) {
        if (seen.has(server.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `two servers are named "${server.name}"` });
        seen.add(server.name);
      }
    }),
  ),
);
export const McpServerListSchema = /* @__PURE__ */ mcpServerListSchema();
