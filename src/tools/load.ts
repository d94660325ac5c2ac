import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HostLogger } from '../host/port.js';
import { McpConfigError, parseMcpConfig, type McpConfig } from './mcp/config.js';
import { ToolRegistry } from './registry.js';

export { McpConfigError } from './mcp/config.js';

/** The MCP client (and the SDK) is its own esbuild output, required after start-up (like the openai host). */
function mcpBundle(): string {
  return join(typeof __dirname === 'string' ? __dirname : dirname(process.argv[1] ?? '.'), 'hosts', 'tools-mcp.cjs');
}

/** `--mcp-config FILE`, read and checked at start-up: a bad file is one McpConfigError (exit 2). */
export function readMcpConfig(path: string): McpConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new McpConfigError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message}`);
  }
  return parseMcpConfig(text, path);
}

/**
 * A registry with every configured server `starting`, whose sources load and connect after the
 * current tick: nothing here waits on a server, so start-up and turns never do.
 */
export function startToolSources(config: McpConfig, o: { log: HostLogger; maxOutputBytes: number }): ToolRegistry {
  const registry = new ToolRegistry();
  for (const { name, config: server } of config.servers) registry.declare(name, server);
  startDeclared(config, registry, o);
  return registry;
}

/** Loads the MCP client after the current tick and starts `config`'s servers, already declared in `registry`. */
export function startDeclared(config: McpConfig, registry: ToolRegistry, o: { log: HostLogger; maxOutputBytes: number }): void {
  if (config.servers.length === 0) return;
  setImmediate(() => {
    try {
      const file = mcpBundle();
      const mod = createRequire(file)(file) as typeof import('./mcp/index.js');
      mod.startMcpSources(config, registry, o);
    } catch (error) {
      o.log.error('could not load the MCP client', { message: (error as Error).message });
      for (const { name } of config.servers) registry.fail(name, `could not load the MCP client: ${(error as Error).message}`);
    }
  });
}
