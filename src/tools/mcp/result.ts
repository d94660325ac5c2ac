import type { HostToolResult } from '../port.js';

type Content = { type: string; text?: string; mimeType?: string; data?: string; uri?: string; name?: string; resource?: { uri?: string; text?: string; mimeType?: string } };

/**
 * A tools/call result as the text the model gets: text parts as they are, other parts named
 * (an image by its type and size: a chat-completions tool message carries text only), and
 * `structuredContent` when there is no content. Cut at `maxBytes` like built-in tool output.
 */
export function resultText(result: Record<string, unknown>, maxBytes: number): HostToolResult {
  const parts: string[] = [];
  for (const c of (Array.isArray(result.content) ? result.content : []) as Content[]) parts.push(partText(c));
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent));
  if (parts.length === 0 && 'toolResult' in result) parts.push(JSON.stringify(result.toolResult)); // protocol 2024-10-07 servers
  const text = parts.join('\n');
  const ok = result.isError !== true;
  const body = Buffer.byteLength(text) > maxBytes ? `${cut(text, maxBytes)}\n[output truncated at ${maxBytes} bytes]\n` : text;
  return { ok, text: ok ? body : `error: ${body}` };
}

function partText(c: Content): string {
  switch (c.type) {
    case 'text':
      return c.text ?? '';
    case 'image':
    case 'audio':
      return `[${c.type} ${c.mimeType ?? ''}, ${Math.floor(((c.data ?? '').length * 3) / 4)} bytes]`;
    case 'resource':
      return c.resource?.text ?? `[resource ${c.resource?.uri ?? ''}${c.resource?.mimeType ? ` (${c.resource.mimeType})` : ''}]`;
    case 'resource_link':
      return `[resource link ${c.uri ?? ''}${c.name ? ` (${c.name})` : ''}]`;
    default:
      return `[${String(c.type)} content]`;
  }
}

/** At most `maxBytes` of UTF-8, never splitting a character. */
function cut(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text).subarray(0, maxBytes);
  let end = bytes.length;
  while (end > 0 && (bytes[end - 1]! & 0xc0) === 0x80) end--;
  if (end > 0 && bytes[end - 1]! >= 0xc0) end--;
  return bytes.subarray(0, end).toString('utf8');
}
