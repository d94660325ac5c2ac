import type { McpServerSpec } from './mcp-servers.js';

// Apart from the schemas (and zod): the Postgres adapter's own bundle (dist/postgres.cjs) takes
// this module and nothing else of the package.

/** What `thread.mcpServers` shows in place of each env and header value, a secret. */
export const REDACTED = '[redacted]';

/** The servers as every read path that leaves the process shows them: env and header values hidden. */
export function redactMcpServers(servers: McpServerSpec[]): McpServerSpec[] {
  return servers.map((s) =>
    'url' in s ? { ...s, headers: s.headers.map((h) => ({ name: h.name, value: REDACTED })) } : { ...s, env: s.env.map((e) => ({ name: e.name, value: REDACTED })) },
  );
}
