import {
  AbstractMessageReader,
  AbstractMessageWriter,
  Message,
  type DataCallback,
  type Disposable,
  type MessageReader,
  type MessageStrategy,
  type MessageWriter,
} from 'vscode-jsonrpc/node';

/** A request id as the client wrote it. */
export type WireId = string | number;

export interface RequestIdHooks {
  /** A request whose id is already in flight: answer it -32600; it never reaches the connection. */
  onDuplicate(id: WireId, method: string): void;
  /** A notification dropped here (a malformed or unknown `$/` one): log it; notifications get no answer. */
  onIgnored(reason: string, method: string): void;
}

const CANCEL = '$/cancelRequest';

/** What a MessageStrategy's handler returns (vscode-jsonrpc does not export the name). */
type NotificationResult = void | Promise<void>;

/** 1 and "1" are different JSON-RPC ids. */
const keyOf = (id: WireId) => (typeof id === 'number' ? `n:${id}` : `s:${id}`);

/**
 * Request ids between the client and vscode-jsonrpc. vscode-jsonrpc queues received requests
 * under `String(id)`: a second request with the id of one still queued replaced it (the first
 * was never answered, and a counter of delivered requests never came back to zero), and ids 1
 * and "1" collided the same way. So every request gets a fresh numeric id on the way in and its
 * own id back in its response; a request reusing the id of one still in flight is refused here
 * and never reaches the connection. Because the ids vscode-jsonrpc sees are unique, what is
 * waiting for dispatch is a set of real requests (`backlog`), not a count that can drift.
 */
export class RequestIds {
  private nextId = 1;
  /** Requests in flight (received, not yet answered): wire key → the id the connection sees. */
  private readonly inner = new Map<string, number>();
  /** The other way: the connection's id → the client's id. */
  private readonly outer = new Map<number, WireId>();
  /** Requests handed to the connection and not yet dispatched to a handler. */
  private readonly undispatched = new Set<number>();

  constructor(private readonly hooks: RequestIdHooks) {}

  /** Received requests that wait for vscode-jsonrpc to dispatch them (group commit waits for them). */
  get backlog(): number {
    return this.undispatched.size;
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.outer.size;
  }

  /** For the connection's options: sees each message as it leaves vscode-jsonrpc's queue. */
  readonly messageStrategy: MessageStrategy = {
    handleMessage: (message: Message, next: (message: Message) => NotificationResult): NotificationResult => {
      if (Message.isRequest(message) && typeof message.id === 'number') this.undispatched.delete(message.id);
      return next(message);
    },
  };

  /** The client's messages with request ids renamed, duplicates and bad `$/` notifications taken out. */
  reader(from: MessageReader): MessageReader {
    return new RenamingReader(from, (message) => this.incoming(message));
  }

  /** Writes the connection's messages with each response's id put back to the client's. */
  writer(to: MessageWriter): MessageWriter {
    return new RenamingWriter(to, (message) => this.outgoing(message));
  }

  private incoming(message: Message): Message | undefined {
    if (Message.isRequest(message)) {
      const id = message.id as WireId;
      const key = keyOf(id);
      if (this.inner.has(key)) {
        this.hooks.onDuplicate(id, message.method);
        return undefined;
      }
      const mine = this.nextId++;
      this.inner.set(key, mine);
      this.outer.set(mine, id);
      this.undispatched.add(mine);
      return { ...message, id: mine } as Message;
    }
    if (Message.isNotification(message) && message.method.startsWith('$/')) {
      if (message.method !== CANCEL) {
        this.hooks.onIgnored('an unsupported $/ notification', message.method);
        return undefined;
      }
      // vscode-jsonrpc reads params.id before anything else and throws when it is missing or null.
      const params = message.params as { id?: unknown } | undefined;
      const id = params && !Array.isArray(params) ? params.id : undefined;
      if (typeof id !== 'string' && (typeof id !== 'number' || !Number.isFinite(id))) {
        this.hooks.onIgnored('a $/cancelRequest without a string or number params.id', message.method);
        return undefined;
      }
      const mine = this.inner.get(keyOf(id));
      if (mine === undefined) {
        this.hooks.onIgnored('a $/cancelRequest for no request in flight', message.method);
        return undefined;
      }
      return { jsonrpc: '2.0', method: CANCEL, params: { id: mine } } as Message;
    }
    return message;
  }

  private outgoing(message: Message): Message {
    if (!Message.isResponse(message) || typeof message.id !== 'number') return message;
    const id = this.outer.get(message.id);
    if (id === undefined) return message;
    this.outer.delete(message.id);
    this.inner.delete(keyOf(id));
    this.undispatched.delete(message.id); // answered without a dispatch: no longer waiting either
    return { ...message, id } as Message;
  }
}

class RenamingReader extends AbstractMessageReader implements MessageReader {
  constructor(
    private readonly from: MessageReader,
    private readonly map: (message: Message) => Message | undefined,
  ) {
    super();
    from.onError((error) => this.fireError(error));
    from.onClose(() => this.fireClose());
    from.onPartialMessage((info) => this.firePartialMessage(info));
  }

  listen(callback: DataCallback): Disposable {
    return this.from.listen((message) => {
      const mapped = this.map(message);
      if (mapped) callback(mapped);
    });
  }
}

class RenamingWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(
    private readonly to: MessageWriter,
    private readonly map: (message: Message) => Message,
  ) {
    super();
    to.onError(([error, message, count]) => this.fireError(error, message, count));
    to.onClose(() => this.fireClose());
  }

  write(message: Message): Promise<void> {
    return this.to.write(this.map(message));
  }

  end(): void {
    this.to.end();
  }
}
