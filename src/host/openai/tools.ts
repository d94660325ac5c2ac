import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type OpenAI from 'openai';
import type { ApprovalKind } from '../port.js';

/** The tools the model may call, all confined to the thread's cwd. */
export const TOOL_NAMES = ['read_file', 'list_dir', 'write_file', 'shell'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Which tools need the user's approval, and of which kind (PROTOCOL.md §6). */
export const APPROVAL_OF: Partial<Record<ToolName, ApprovalKind>> = { write_file: 'edit', shell: 'shell' };

const path = { type: 'string', description: 'Path relative to the working directory' };
export function toolDefinitions(allowShell: boolean): OpenAI.Chat.Completions.ChatCompletionTool[] {
  const fn = (name: ToolName, description: string, properties: Record<string, unknown>) => ({
    type: 'function' as const,
    function: { name, description, parameters: { type: 'object', properties, required: Object.keys(properties), additionalProperties: false } },
  });
  const tools = [
    fn('read_file', 'Read a text file in the working directory.', { path }),
    fn('list_dir', 'List a directory in the working directory (directories end with /).', { path }),
    fn('write_file', 'Create or replace a text file in the working directory (the user approves it).', { path, content: { type: 'string' } }),
  ];
  if (allowShell) tools.push(fn('shell', 'Run a shell command in the working directory (the user approves it).', { command: { type: 'string' } }));
  return tools;
}

export interface ToolLimits {
  shellTimeoutMs: number;
  maxOutputBytes: number;
}

/** What the model is told; `ok: false` also marks the tool_result item failed. */
export interface ToolOutcome {
  ok: boolean;
  text: string;
}

/** A tool error the model sees (never thrown out of the turn). */
export class ToolError extends Error {}

/** Resolves `p` inside `cwd`, following symlinks, or refuses it: nothing outside cwd is touched. */
export function confine(cwd: string, p: unknown): string {
  if (typeof p !== 'string' || p.length === 0) throw new ToolError('path is required');
  const root = realpathSync(cwd);
  const target = resolve(root, p);
  let existing = target;
  while (!existsSync(existing)) existing = dirname(existing);
  const real = resolve(realpathSync(existing), relative(existing, target));
  const rel = relative(root, real);
  if (rel.startsWith('..') || isAbsolute(rel)) throw new ToolError(`path ${p} is outside the working directory; refused`);
  return real;
}

export async function runTool(name: string, args: Record<string, unknown>, cwd: string, limits: ToolLimits, signal: AbortSignal): Promise<ToolOutcome> {
  try {
    switch (name) {
      case 'read_file':
        return { ok: true, text: cap(await readFile(confine(cwd, args.path), 'utf8'), limits.maxOutputBytes) };
      case 'list_dir': {
        const entries = await readdir(confine(cwd, args.path ?? '.'), { withFileTypes: true });
        return { ok: true, text: entries.map((e) => (e.isDirectory() ? `${e.name}/` : e.name)).sort().join('\n') };
      }
      case 'write_file': {
        if (typeof args.content !== 'string') throw new ToolError('content must be a string');
        const file = confine(cwd, args.path);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, args.content);
        return { ok: true, text: `wrote ${Buffer.byteLength(args.content)} bytes to ${args.path as string}` };
      }
      case 'shell':
        if (typeof args.command !== 'string' || args.command.trim() === '') throw new ToolError('command is required');
        return await runShell(args.command, realpathSync(cwd), limits, signal);
      default:
        throw new ToolError(`unknown tool "${name}"`);
    }
  } catch (error) {
    const message = error instanceof ToolError ? error.message : (error as Error).message;
    return { ok: false, text: `error: ${message}` };
  }
}

/** Runs `command` with a timeout; output (stdout and stderr together) is capped and marked truncated. */
function runShell(command: string, cwd: string, limits: ToolLimits, signal: AbortSignal): Promise<ToolOutcome> {
  return new Promise((resolvePromise) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let truncated = false;
    let timedOut = false;
    const collect = (chunk: Buffer) => {
      if (truncated) return;
      output += chunk.toString('utf8');
      if (Buffer.byteLength(output) > limits.maxOutputBytes) {
        output = cap(output, limits.maxOutputBytes);
        truncated = true;
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    // The whole process group goes: a command's own children must not outlive it.
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, limits.shellTimeoutMs);
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => resolvePromise({ ok: false, text: `error: ${error.message}` }));
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      const status = timedOut ? `[timed out after ${limits.shellTimeoutMs} ms]` : `[exit code ${code ?? sig}]`;
      resolvePromise({ ok: !timedOut && code === 0, text: `${output}${truncated ? '' : '\n'}${status}` });
    });
  });
}

function cap(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  return `${bytes.subarray(0, maxBytes).toString('utf8')}\n[output truncated at ${maxBytes} bytes]\n`;
}
