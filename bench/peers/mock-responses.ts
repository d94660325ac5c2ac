import type { ServerResponse } from 'node:http';

/**
 * The OpenAI Responses API's streaming events (what Codex's `wire_api = "responses"` reads), for
 * one assistant message of `deltas` pieces. Only the events Codex needs to finish a turn:
 * response.created, output_item.added, output_text.delta…, output_item.done, response.completed.
 */
export function responsesEvents(deltas: readonly string[], n: number): string[] {
  const responseId = `resp_${n}`;
  const itemId = `msg_${n}`;
  const text = deltas.join('');
  const message = (content: unknown[]) => ({ type: 'message', id: itemId, role: 'assistant', status: 'completed', content });
  const events: Record<string, unknown>[] = [
    { type: 'response.created', response: { id: responseId, object: 'response', status: 'in_progress', output: [] } },
    { type: 'response.output_item.added', output_index: 0, item: { ...message([]), status: 'in_progress' } },
    ...deltas.map((delta) => ({ type: 'response.output_text.delta', item_id: itemId, output_index: 0, content_index: 0, delta })),
    { type: 'response.output_item.done', output_index: 0, item: message([{ type: 'output_text', text, annotations: [] }]) },
    {
      type: 'response.completed',
      response: {
        id: responseId,
        object: 'response',
        status: 'completed',
        output: [message([{ type: 'output_text', text, annotations: [] }])],
        usage: {
          input_tokens: 10,
          input_tokens_details: { cached_tokens: 0 },
          output_tokens: deltas.length,
          output_tokens_details: { reasoning_tokens: 0 },
          total_tokens: 10 + deltas.length,
        },
      },
    },
  ];
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
}

/** Chat-completions chunks (what Threadline's `openai` host reads) for the same message. */
export function chatEvents(deltas: readonly string[], n: number): string[] {
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id: `chatcmpl-${n}`, object: 'chat.completion.chunk', created: 0, model: 'mock', choices, ...extra })}\n\n`;
  return [
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]),
    ...deltas.map((content) => chunk([{ index: 0, delta: { content }, finish_reason: null }])),
    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
    chunk([], { usage: { prompt_tokens: 10, completion_tokens: deltas.length, total_tokens: 10 + deltas.length } }),
    'data: [DONE]\n\n',
  ];
}

/**
 * Writes SSE frames in batches of 100 per write: each event stays its own frame (the client
 * parses every one), but the mock spends little CPU on the 2 cores the servers share with it.
 */
export async function writeSse(res: ServerResponse, frames: readonly string[]): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (let i = 0; i < frames.length; i += 100) {
    if (!res.write(frames.slice(i, i + 100).join(''))) await new Promise((resolve) => res.once('drain', resolve));
  }
  res.end();
}
