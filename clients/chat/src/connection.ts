import { ServerExitedError, type ApprovalHandler, type ClientResultOf, type MethodName, type ParamsOf, type ThreadEvent } from '@threadline/protocol';
import { spawnThreadline, type SpawnedThreadline } from '@threadline/protocol/node';

export interface ConnectionOptions {
  bin: string;
  args: string[];
  clientName: string;
  approvals: boolean;
  onEvent(event: ThreadEvent): void;
  onApproval?: ApprovalHandler;
  onStderr?(line: string): void;
  /** The server died unasked; a restart is under way. */
  onDied(error: ServerExitedError): void;
  /** A restarted server answered `initialize`. */
  onRestarted(): void;
  /** Restarts kept failing: the frontend should give up. */
  onGaveUp(error: ServerExitedError): void;
}

/** Restarts tried in a row before giving up (a server that dies at once, e.g. a broken database). */
const MAX_RESTARTS = 5;

/**
 * `threadline serve`, spawned through the protocol package, restarted when it dies. Requests
 * wait for the server that is starting; one that dies under a request rejects with
 * ServerExitedError (callers retry what is safe to repeat: `clientRequestId` makes startTurn so).
 */
export class Connection {
  private spawned: SpawnedThreadline | undefined;
  private starting: Promise<SpawnedThreadline>;
  private closing = false;
  private failures = 0;

  constructor(private readonly options: ConnectionOptions) {
    this.starting = this.spawn();
  }

  /** Resolves when the first server is up; rejects (ServerExitedError) when it never started. */
  ready(): Promise<unknown> {
    return this.starting;
  }

  get pid(): number | undefined {
    return this.spawned?.process.pid;
  }

  async request<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ClientResultOf<M>> {
    const { client } = await this.starting;
    return (client.request as (m: M, p: ParamsOf<M>) => Promise<ClientResultOf<M>>)(method, params);
  }

  /** A request that is safe to send twice: sent again once on the restarted server. */
  async requestRetrying<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ClientResultOf<M>> {
    const starting = this.starting;
    try {
      return await this.request(method, params);
    } catch (error) {
      if (!(error instanceof ServerExitedError) || this.closing) throw error;
      // The close is reported to us and to the request in no fixed order: wait for the restart.
      for (let waited = 0; this.starting === starting && waited < 3000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      return this.request(method, params);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    const spawned = await this.starting.catch(() => undefined);
    await spawned?.close(3000);
  }

  private async spawn(): Promise<SpawnedThreadline> {
    const o = this.options;
    const spawned = await spawnThreadline({
      bin: o.bin,
      args: o.args,
      stderr: 'ignore',
      onStderr: o.onStderr,
      initialize: { clientInfo: { name: o.clientName, version: '0.1.0' }, capabilities: { approvals: o.approvals } },
    });
    this.spawned = spawned;
    spawned.client.onEvent(o.onEvent);
    if (o.onApproval) spawned.client.onApprovalRequest(o.onApproval);
    spawned.onClose((error) => {
      if (!this.closing) this.restart(error);
    });
    return spawned;
  }

  private restart(error: ServerExitedError): void {
    this.options.onDied(error);
    const attempt = (): Promise<SpawnedThreadline> =>
      this.spawn().then(
        (spawned) => {
          this.failures = 0;
          this.options.onRestarted();
          return spawned;
        },
        async (failure: unknown) => {
          if (++this.failures >= MAX_RESTARTS || this.closing) {
            this.options.onGaveUp(failure instanceof ServerExitedError ? failure : error);
            throw failure;
          }
          await new Promise((r) => setTimeout(r, 200 * this.failures));
          return attempt();
        },
      );
    this.starting = attempt();
    this.starting.catch(() => {});
  }
}
