import { APIConnectionError, APIError } from 'openai';

/** A failure of the endpoint (not of Threadline or the host): the turn fails with this message as is. */
export class EndpointFailure extends Error {}

/** One sentence a person understands, naming the endpoint and what it said. */
export function describeFailure(error: unknown, endpoint: string, retries: number, hasKey: boolean): string {
  if (error instanceof APIConnectionError) {
    return `cannot reach the model endpoint ${endpoint}: ${causeOf(error)}`;
  }
  if (error instanceof APIError && error.status !== undefined) {
    const said = endpointMessage(error);
    if (error.status === 401 || error.status === 403) {
      return `authentication failed (${error.status} from ${endpoint}): ${said}${hasKey ? '' : ' (OPENAI_API_KEY is not set)'}`;
    }
    const retried = error.status === 429 || error.status >= 500 ? ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}` : '';
    return `the model endpoint ${endpoint} answered ${error.status}${retried}: ${said}`;
  }
  if (error instanceof APIError) return `the model endpoint ${endpoint} reported an error in the stream: ${endpointMessage(error)}`;
  if (error instanceof SyntaxError) return `the model endpoint ${endpoint} sent a malformed stream chunk (${error.message})`;
  const message = error instanceof Error ? error.message : String(error);
  return `the connection to ${endpoint} was cut mid-reply (${message})`;
}

function endpointMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  if (typeof body?.message === 'string') return body.message;
  return error.message.replace(/^\d{3}\s*/, '') || 'no message';
}

function causeOf(error: APIConnectionError): string {
  let cause: unknown = error.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  const code = (cause as { code?: string } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : error.message;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${message})`;
  return message;
}
