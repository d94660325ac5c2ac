/**
 * Issue 15 (SQLite's migration 009): a thread's context-window usage as of its latest model call
 * (`context.usage`, JSON `{ turnId, used, size }`), and the MCP servers it was created with
 * (`thread/create { mcpServers }`, JSON in ACP's shape, secrets included: they are redacted on
 * every read that leaves the process).
 */
export const sql = `
ALTER TABLE threads ADD COLUMN context_usage TEXT;
ALTER TABLE threads ADD COLUMN mcp_servers TEXT;
`;
