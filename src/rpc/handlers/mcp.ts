import type { McpServerStatus } from '@threadline/protocol';
import type { HandlerGroup } from './types.js';

/** What the front end sees of the server's MCP servers (src/tools/registry.ts). */
export interface McpStatusFeed {
  statuses(): McpServerStatus[];
  onStatus(listener: (status: McpServerStatus) => void): () => void;
}

export function mcpHandlers(feed: McpStatusFeed | undefined): HandlerGroup<'mcp/servers'> {
  return { 'mcp/servers': () => ({ servers: feed?.statuses() ?? [] }) };
}
