import type { ContentBlock } from '@agentclientprotocol/sdk';

/**
 * An ACP prompt as one Threadline prompt: text blocks joined with newlines, a resource link as a
 * Markdown link line, an embedded text resource as its text. Binary content is not advertised.
 */
export function promptText(blocks: ContentBlock[]): string {
  const lines: string[] = [];
  for (const block of blocks) {
    if (block.type === 'text') lines.push(block.text);
    else if (block.type === 'resource_link') lines.push(`[${block.name}](${block.uri})`);
    else if (block.type === 'resource' && 'text' in block.resource) lines.push(block.resource.text);
  }
  return lines.join('\n');
}
