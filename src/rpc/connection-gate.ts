import { InvalidRequestError, ServerNotInitializedError } from '@threadline/protocol';

export type ConnectionState = 'uninitialized' | 'ready' | 'shutting_down';

/** The connection's lifecycle gate: `initialize` first, nothing new after `shutdown`. */
export class ConnectionGate {
  state: ConnectionState = 'uninitialized';
  clientApprovals = false;
  clientName: string | undefined;

  /** Throws the error a request gets in the current state, if any. */
  admit(method: string): void {
    if (this.state === 'shutting_down') {
      throw new InvalidRequestError(`Server is shutting down: "${method}" was not run`, { method });
    }
    if (method === 'initialize') {
      if (this.state === 'ready') throw new InvalidRequestError('Server already initialized', { method });
      return;
    }
    if (this.state === 'uninitialized') throw new ServerNotInitializedError(method);
  }
}
