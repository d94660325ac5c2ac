import { APIConnectionError, APIError } from 'openai';

/** A failure of the endpoint (not of Threadline or the host): the turn fails with this message as is. */
export class EndpointFailure extends Error {}

/**
 * One sentence a person understands, naming the endpoint and what it said. It is stored as the
 * turn's error and may be logged: any URL in it (fetch quotes the request's) loses its secrets.
 */
export function describeFailure(error: unknown, endpoint: string, retries: number, hasKey: boolean): string {
  return redactUrls(describe(error, redactUrl(endpoint), retries, hasKey));
}

/** Query parameters that carry a credential (`?api_key=`, `?token=`, Azure's `sig=`…). */
const SECRET_PARAM = /key|token|secret|password|passwd|sig|auth|credential/i;

/**
 * The URL with its userinfo (`user:pw@`) shown as `***@` and secret-looking query values as
 * `***`; unchanged (byte for byte) when it holds neither, or is not a URL.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = '***';
    url.password = '';
    changed = true;
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (!SECRET_PARAM.test(name)) continue;
    url.searchParams.set(name, '***');
    changed = true;
  }
  return changed ? url.href : raw;
}

/** Every URL in a text redacted (see redactUrl); punctuation that ends a sentence stays outside it. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, (match) => {
    const [, url, tail] = /^(.*?)([.,:;!?)\]]*)$/s.exec(match)!;
    return redactUrl(url!) + tail!;
  });
}

function describe(error: unknown, endpoint: string, retries: number, hasKey: boolean): string {
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
