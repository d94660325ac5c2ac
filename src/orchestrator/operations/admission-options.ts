import { InvalidParamsError, type ParsedParamsOf } from '@threadline/protocol';
import type { AdmissionOptions, ReadTx } from '../../store/port.js';

/** What a prompt will run with, fixed when it is admitted (a route intent resolved to its model now). */
export async function admissionOptions(
  tx: ReadTx,
  p: Omit<ParsedParamsOf<'thread/editLastTurn'>, 'threadId' | 'content'>,
  inputSummary?: string,
): Promise<AdmissionOptions> {
  const routed = p.routeIntent !== undefined ? await tx.routing.modelForIntent(p.routeIntent) : undefined;
  return {
    inputSummary,
    model: routed ?? p.model,
    mode: p.mode,
    temperature: p.temperature,
    topP: p.topP,
    maxTokens: p.maxTokens,
    autoApprove: p.autoApprove,
    trustMode: p.trustMode,
    allowShell: p.allowShell,
  };
}

/** `--max-prompt-bytes`: a larger prompt (or edit content) is refused with -32602. */
export function checkPromptSize(field: 'prompt' | 'content', text: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes <= maxBytes) return;
  const message = `${field} is ${bytes} bytes, over the limit of ${maxBytes} bytes`;
  throw new InvalidParamsError(message, [{ path: [field], message, code: 'too_big' }]);
}
