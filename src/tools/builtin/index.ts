import { realpath } from 'node:fs/promises';
import type { ApprovalKind } from '../../host/port.js';
import type { HostTool, HostToolResult as ToolOutcome, ToolSource, ToolSourceStatus } from '../port.js';
import { ToolError } from './confine.js';
import { shellEnvironment } from './env.js';
import { listTool, readTool, writeTool, type FileLimits } from './files.js';
import { runShell, type ShellLimits } from './shell.js';

export { ToolError } from './confine.js';
import { describeCall } from './summary.js';

export { describeCall } from './summary.js';

/** The tools the model may call, all confined to the thread's cwd. */
export const TOOL_NAMES = ['read_file', 'list_dir', 'write_file', 'shell'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Which tools need the user's approval, and of which kind (PROTOCOL.md §6). */
export const APPROVAL_OF: Partial<Record<ToolName, ApprovalKind>> = { write_file: 'edit', shell: 'shell' };

const path = { type: 'string', description: 'Path relative to the working directory' };

/** The tools offered for one turn: none without a cwd, shell only when the turn allows it. */
export function toolDefinitions(cwd: string | undefined, allowShell: boolean): HostTool[] {
  if (!cwd) return [];
  const fn = (name: ToolName, description: string, properties: Record<string, unknown>): HostTool => ({
    name,
    description,
    inputSchema: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false },
    ...(APPROVAL_OF[name] ? { approval: APPROVAL_OF[name] } : {}),
  });
  const tools = [
    fn('read_file', 'Read a text file in the working directory.', { path }),
    fn('list_dir', 'List a directory in the working directory (directories end with /).', { path }),
    fn('write_file', 'Create or replace a text file in the working directory (the user approves it).', { path, content: { type: 'string' } }),
  ];
  if (allowShell) tools.push(fn('shell', 'Run a shell command in the working directory (the user approves it).', { command: { type: 'string' } }));
  return tools;
}

export interface ToolLimits extends ShellLimits, FileLimits {
  /** Names of variables passed to tool shells on top of the minimal environment (env.ts). */
  shellEnv: readonly string[];
}

/** What the model is told; `ok: false` also marks the tool_result item failed. */
export type { ToolOutcome };

/** Runs one tool the turn offered (the caller checks that) on already approved arguments. */
export async function runTool(name: string, args: Record<string, unknown>, cwd: string, limits: ToolLimits, signal: AbortSignal): Promise<ToolOutcome> {
  try {
    const place = { cwd, root: await realpath(cwd) };
    switch (name) {
      case 'read_file':
        return { ok: true, text: await readTool(place, args.path, limits) };
      case 'list_dir':
        return { ok: true, text: await listTool(place, args.path ?? '.', limits) };
      case 'write_file':
        return { ok: true, text: await writeTool(place, args.path, args.content) };
      case 'shell':
        if (typeof args.command !== 'string' || args.command.trim() === '') throw new ToolError('command is required');
        if (args.command.includes('\0')) throw new ToolError('command contains a NUL byte; refused');
        return await runShell(args.command, place.root, shellEnvironment(limits.shellEnv), limits, signal);
      default:
        throw new ToolError(`unknown tool "${name}"`);
    }
  } catch (error) {
    return { ok: false, text: `error: ${(error as Error).message}` };
  }
}

/** The built-in tools as a tool source: always ready, its list depends on the turn (cwd, allowShell). */
export function builtinSource(limits: ToolLimits): ToolSource {
  const status: ToolSourceStatus = { server: 'builtin', state: 'ready', tools: TOOL_NAMES.length, generation: 0 };
  return {
    name: 'builtin',
    list: (context) => toolDefinitions(context.cwd, context.allowShell),
    describe: describeCall,
    call: (name, args, options) =>
      options.cwd ? runTool(name, args, options.cwd, limits, options.signal) : Promise.resolve({ ok: false, text: 'error: no working directory' }),
    status: () => status,
    onChange: () => () => undefined,
    close: async () => undefined,
  };
}
