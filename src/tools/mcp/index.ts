import type { HostLogger } from '../../host/port.js';
import { serverPrefixes } from '../names.js';
import type { ToolRegistry } from '../registry.js';
import type { McpConfig } from './config.js';
import { McpSource } from './source.js';

export interface StartOptions {
  log: HostLogger;
  maxOutputBytes: number;
}

/**
 * The entry of dist/hosts/tools-mcp.cjs (the SDK is loaded only when `--mcp-config` is given):
 * one source per configured server, attached to `registry` and connecting in the background.
 */
export function startMcpSources(config: McpConfig, registry: ToolRegistry, o: StartOptions): void {
  const prefixes = serverPrefixes(config.servers.map((s) => s.name));
  for (const { name, config: server } of config.servers) {
    const source = new McpSource(name, server, { log: o.log, prefix: prefixes.get(name)!, maxOutputBytes: o.maxOutputBytes });
    registry.attach(name, source);
    source.start();
  }
}
