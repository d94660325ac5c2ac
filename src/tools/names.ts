import { createHash } from 'node:crypto';

/** What chat-completions APIs accept as a function name (OpenAI's rule; the strictest common one). */
export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;
/** A server's part of a tool name is at most this long, so a tool's own name keeps room. */
const MAX_SERVER_PART = 24;

function hash6(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 6);
}

function sanitize(text: string): string {
  return text.replace(/[^a-zA-Z0-9_-]/g, '_') || '_';
}

/** `text` cut to `max` characters; a cut (or `mark`ed) one ends in a hash of the original, so two cuts stay apart. */
function fit(text: string, original: string, max: number, mark = false): string {
  if (!mark && text.length <= max) return text;
  return `${text.slice(0, max - 7)}_${hash6(original)}`;
}

/**
 * The prefix of every tool of each server, `mcp__<server>__`: the server's name sanitised, cut to
 * 24 characters, and made unique among the configured servers (names that sanitise alike get a
 * hash of their own name), so a server's tool names never depend on which other server is up.
 */
export function serverPrefixes(servers: readonly string[]): Map<string, string> {
  const parts = new Map(servers.map((s) => [s, fit(sanitize(s), s, MAX_SERVER_PART)]));
  const count = new Map<string, number>();
  for (const part of parts.values()) count.set(part, (count.get(part) ?? 0) + 1);
  return new Map(servers.map((s) => [s, `mcp__${count.get(parts.get(s)!)! > 1 ? fit(sanitize(s), s, MAX_SERVER_PART, true) : parts.get(s)!}__`]));
}

/**
 * Model-facing names for one server's tools: prefix + the tool's name sanitised to
 * `^[a-zA-Z0-9_-]{1,64}$`. Tools whose names come out alike are told apart by a hash of their own
 * name, all but the first in sorted order: the same tool list always gives the same names.
 */
export function toolNames(prefix: string, tools: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const tool of [...tools].sort()) {
    let name = prefix + fit(sanitize(tool), tool, MAX - prefix.length);
    if (taken.has(name)) name = prefix + fit(sanitize(tool), tool, MAX - prefix.length, true);
    for (let n = 2; taken.has(name); n++) name = prefix + fit(sanitize(tool), `${tool}#${n}`, MAX - prefix.length, true);
    taken.add(name);
    names.set(tool, name);
  }
  return names;
}
