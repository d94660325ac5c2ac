import * as z from 'zod/mini';

/** A tool call that has not answered after this long fails as a tool error (per server: `toolTimeoutSec`). */
export const DEFAULT_TOOL_TIMEOUT_SEC = 60;

/**
 * The config file's schemas, built on first use: a server reads a config file only with
 * `--mcp-config`, and building schemas is most of what loading a module like this one costs.
 */
function buildSchemas() {
  const common = {
    /** Seconds a tool call may take before it fails as a tool error the model sees. */
    toolTimeoutSec: z.optional(z.number().check(z.positive(), z.lte(24 * 3600))),
  };
  const stringMap = z.record(z.string(), z.string({ error: 'must be a string' }));

  const StdioSchema = z.object({
    type: z.optional(z.literal('stdio')),
    command: z.string({ error: 'must be a string' }).check(z.minLength(1, 'must not be empty')),
    args: z._default(z.array(z.string({ error: 'must be a string' })), []),
    /** Added to the minimal environment the server gets (never Threadline's whole environment). */
    env: z._default(stringMap, {}),
    cwd: z.optional(z.string().check(z.minLength(1))),
    ...common,
  });

  const HttpSchema = z.object({
    type: z.optional(z.enum(['http', 'streamable-http', 'streamableHttp'])),
    url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    headers: z._default(stringMap, {}),
    ...common,
  });
  const FileSchema = z.object({ mcpServers: z.record(z.string(), z.unknown(), { error: 'must be an object of servers' }) });
  return { StdioSchema, HttpSchema, FileSchema };
}
let built: ReturnType<typeof buildSchemas> | undefined;
const schemas = () => (built ??= buildSchemas());

export type StdioServerConfig = z.infer<ReturnType<typeof buildSchemas>['StdioSchema']>;
export type HttpServerConfig = z.infer<ReturnType<typeof buildSchemas>['HttpSchema']>;
export type McpServerConfig = StdioServerConfig | HttpServerConfig;
export interface McpConfig {
  /** In the file's order. */
  servers: { name: string; config: McpServerConfig }[];
}

/** A config file that cannot be used: the message names the file and the field. */
export class McpConfigError extends Error {}

/**
 * `{ "mcpServers": { name: { command, args, env } | { url, headers } } }`, the format of Claude
 * Desktop, Cursor and Claude Code; other top-level keys (those files hold more) are ignored.
 */
export function parseMcpConfig(text: string, file: string): McpConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new McpConfigError(`${file}: not JSON (${(error as Error).message})`);
  }
  const { StdioSchema, HttpSchema, FileSchema } = schemas();
  const top = FileSchema.safeParse(json);
  if (!top.success) throw new McpConfigError(`${file}: ${where(top.error.issues[0]!.path.length > 0 ? top.error.issues[0]!.path : ['mcpServers'])}: ${top.error.issues[0]!.message}`);
  const servers: McpConfig['servers'] = [];
  for (const [name, entry] of Object.entries(top.data.mcpServers)) {
    const at = ['mcpServers', name];
    if (!/^[^\u0000-\u001f\u007f]{1,128}$/.test(name)) throw new McpConfigError(`${file}: ${where(at)}: a server name is 1 to 128 characters, none a control character`);
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw new McpConfigError(`${file}: ${where(at)}: must be an object`);
    const type = (entry as { type?: unknown }).type;
    if (type === 'sse') throw new McpConfigError(`${file}: ${where([...at, 'type'])}: the SSE transport is not supported; use the streamable HTTP endpoint ("url", type "http")`);
    const schema = 'url' in entry || (typeof type === 'string' && type !== 'stdio') ? HttpSchema : 'command' in entry ? StdioSchema : undefined;
    if (!schema) throw new McpConfigError(`${file}: ${where(at)}: needs "command" (a stdio server) or "url" (a streamable HTTP server)`);
    const parsed = schema.safeParse(entry);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new McpConfigError(`${file}: ${where([...at, ...issue.path])}: ${issue.message}`);
    }
    servers.push({ name, config: parsed.data });
  }
  return { servers };
}

function where(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : !/^[A-Za-z_][\w-]*$/.test(String(p)) ? `[${JSON.stringify(String(p))}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config;
}
