/**
 * Failures of the Postgres store as the RPC layer sees them: one error class, whose `retryable`
 * says whether the same call may succeed later unchanged (the connection dropped or timed out,
 * the server is restarting, a deadlock or serialization failure was broken by aborting this
 * transaction: all of its writes were rolled back) or not (a constraint, a bug, bad credentials).
 * The message never holds the connection's password.
 */
export class PostgresStoreError extends Error {
  constructor(
    message: string,
    /** The SQLSTATE when the server answered, else the driver's or the OS's code (ECONNREFUSED…). */
    readonly code: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'PostgresStoreError';
  }
}

/** SQLSTATEs after which the same call may well succeed: nothing of the transaction was kept. */
const RETRYABLE_STATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown (the server restarting)
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up)
  '53300', // too_many_connections
  '53400', // configuration_limit_exceeded
]);

const RETRYABLE_CLASSES = ['08', '53']; // connection exception; insufficient resources

/** The driver's own failures without a SQLSTATE: the connection is gone or never came. */
const CONNECTION_MESSAGES = /connection terminated|connection timeout|timeout exceeded|terminating connection|client has encountered a connection error|not queryable|socket|ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN/i;

/** Turns whatever the driver threw into a PostgresStoreError (an error that is one already passes). */
export function toStoreError(error: unknown, secrets: readonly string[]): PostgresStoreError {
  if (error instanceof PostgresStoreError) return error;
  const raw = error as { code?: unknown; message?: unknown } | null;
  const code = typeof raw?.code === 'string' ? raw.code : 'UNKNOWN';
  const message = redact(typeof raw?.message === 'string' ? raw.message : String(error), secrets);
  const isState = /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E');
  const retryable = isState
    ? RETRYABLE_STATES.has(code) || RETRYABLE_CLASSES.includes(code.slice(0, 2))
    : CONNECTION_MESSAGES.test(`${code} ${message}`);
  return new PostgresStoreError(message, code, retryable);
}

/** Whether the driver's error means the connection cannot be used again (the pool drops it). */
export function brokeConnection(error: PostgresStoreError): boolean {
  return error.retryable && !['40001', '40P01', '55P03', '57014'].includes(error.code);
}

export function redact(text: string, secrets: readonly string[]): string {
  return secrets.reduce((out, secret) => (secret ? out.replaceAll(secret, '***') : out), text);
}
