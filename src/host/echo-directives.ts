import type { ApprovalKind, EngineEvent } from './port.js';

/** A prompt for the echo engine: its text and the directives a harness scripted into it. */
export interface EchoScript {
  text: string;
  sleepMs?: number;
  wordDelayMs?: number;
  hang: boolean;
  failStart?: string;
  fail?: string;
  tool?: { kind: ApprovalKind; summary: string };
  usage?: { inputTokens: number; outputTokens: number };
  repeat?: number;
  /** `!think TEXT`: a reasoning item with this text before the reply. */
  think?: string;
}

const APPROVAL_KINDS = new Set<string>(['shell', 'edit', 'tool']);
const count = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);

/**
 * Lines starting with `!` that form a known directive with valid arguments are directives; every
 * other line (including `!unknown` or `!sleep soon`) is text, so a real prompt is never eaten.
 * The text's whitespace is normalized to single spaces, since the reply is streamed word by word.
 */
export function parseEchoScript(prompt: string): EchoScript {
  const script: EchoScript = { text: '', hang: false };
  const textLines: string[] = [];
  for (const line of prompt.split(/\r?\n/)) {
    if (!applyDirective(script, line.trim())) textLines.push(line);
  }
  script.text = textLines.join(' ').split(/\s+/).filter(Boolean).join(' ');
  return script;
}

function applyDirective(script: EchoScript, line: string): boolean {
  if (!line.startsWith('!')) return false;
  const [name, ...args] = line.slice(1).split(/\s+/);
  const rest = line.slice(1 + (name?.length ?? 0)).trim();
  switch (name) {
    case 'sleep':
      return set(count(args[0]), (v) => (script.sleepMs = v));
    case 'word-delay':
      return set(count(args[0]), (v) => (script.wordDelayMs = v));
    case 'hang':
      script.hang = true;
      return true;
    case 'fail-start':
      script.failStart = rest || 'echo engine failed to start';
      return true;
    case 'fail':
      script.fail = rest || 'echo engine failed';
      return true;
    case 'tool': {
      const kind = args[0];
      if (!kind || !APPROVAL_KINDS.has(kind)) return false;
      script.tool = { kind: kind as ApprovalKind, summary: rest.slice(kind.length).trim() || `${kind} call` };
      return true;
    }
    case 'usage': {
      const [i, o] = [count(args[0]), count(args[1])];
      if (i === undefined || o === undefined) return false;
      script.usage = { inputTokens: i, outputTokens: o };
      return true;
    }
    case 'repeat':
      return set(count(args[0]), (v) => (script.repeat = v));
    case 'think':
      if (!rest) return false;
      script.think = rest;
      return true;
    default:
      return false;
  }
}

function set(value: number | undefined, apply: (v: number) => void): boolean {
  if (value === undefined) return false;
  apply(value);
  return true;
}

/** The reasoning item of `!think TEXT` (streamed as one delta), for front ends' thought views. */
export function* thinkEvents(text: string | undefined): Generator<EngineEvent> {
  if (text === undefined) return;
  yield { type: 'item.started', key: 'think', kind: 'reasoning' };
  yield { type: 'item.delta', key: 'think', text };
  yield { type: 'item.completed', key: 'think' };
}

export function countWords(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}
