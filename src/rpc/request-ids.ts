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
  /** A request refused here (its id is in flight, or too many are): answer it -32600; it is not run. */
  onRefused(id: WireId, method: string, message: string, data: Record<string, unknown>): void;
  /** A message dropped here (a malformed `$/cancelRequest`, a stray response): log it; it gets no answer. */
  onIgnored(reason: string, detail: Record<string, unknown>): void;
  /** `backlog` or `backlogBytes` changed: the input may be paused or resumed. */
  onBacklog(): void;
}

/** Requests received and not yet answered, at most: past it a request is refused (each costs ~4 KB). */
export const MAX_IN_FLIGHT = 10_000;

/** Longest string id taken: an id is kept for as long as its request is in flight. */
export const MAX_ID_LENGTH = 1024;

const CANCEL = '$/cancelRequest';

/** What a MessageStrategy's handler returns (vscode-jsonrpc does not export the name). */
type NotificationResult = void | Promise<void>;

/** Notifications the server acts on; any other is dropped here (logged at debug). */
const KNOWN_NOTIFICATIONS = new Set(['exit']);

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
  /** Requests handed to the connection and not yet dispatched to a handler, with their sizes. */
  private readonly undispatched = new Map<number, number>();
  private undispatchedBytes = 0;
  /** Ids of the server's own requests (approval/request) still waiting for the client's answer. */
  private readonly asked = new Set<number>();

  constructor(
    private readonly hooks: RequestIdHooks,
    /** The size of the message being read, for `backlogBytes`. */
    private readonly messageBytes: () => number = () => 0,
  ) {}

  /** Received requests that wait for vscode-jsonrpc to dispatch them (group commit waits for them). */
  get backlog(): number {
    return this.undispatched.size;
  }

  /** Bytes of the requests in `backlog`, as they came off the wire. */
  get backlogBytes(): number {
    return this.undispatchedBytes;
  }

  /** Requests received and not yet answered. */
  get inFlight(): number {
    return this.outer.size;
  }

  /** For the connection's options: sees each message as it leaves vscode-jsonrpc's queue. */
  readonly messageStrategy: MessageStrategy = {
    handleMessage: (message: Message, next: (message: Message) => NotificationResult): NotificationResult => {
      if (Message.isRequest(message) && typeof message.id === 'number') this.dispatched(message.id);
      return next(message);
    },
  };

  /** The client's messages with request ids renamed; refused requests, stray responses and unknown or malformed notifications taken out. */
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
      if (typeof id === 'string' && id.length > MAX_ID_LENGTH) {
        const text = `Invalid request: a string id may have at most ${MAX_ID_LENGTH} characters, this one has ${id.length}; "${message.method}" was not run`;
        this.hooks.onRefused(id, message.method, text, { method: message.method, maxIdLength: MAX_ID_LENGTH });
        return undefined;
      }
      const key = keyOf(id);
      if (this.inner.has(key)) {
        const text = `Invalid request: id ${JSON.stringify(id)} is already used by a request in flight; it was not run`;
        this.hooks.onRefused(id, message.method, text, { id, method: message.method });
        return undefined;
      }
      if (this.outer.size >= MAX_IN_FLIGHT) {
        const text = `Invalid request: ${MAX_IN_FLIGHT} requests are already in flight, the most a connection may have; "${message.method}" was not run`;
        this.hooks.onRefused(id, message.method, text, { id, method: message.method, maxInFlight: MAX_IN_FLIGHT });
        return undefined;
      }
      const mine = this.nextId++;
      this.inner.set(key, mine);
      this.outer.set(mine, id);
      const bytes = this.messageBytes();
      this.undispatched.set(mine, bytes);
      this.undispatchedBytes += bytes;
      this.hooks.onBacklog();
      // Renamed in place: the reader parsed this object for us alone (and V8 copies a spread
      // followed by more properties, `{ ...message, id }`, on its slow path).
      (message as { id: WireId }).id = mine;
      return message;
    }
    if (Message.isResponse(message)) {
      // Only an answer to a request of ours still waiting reaches the connection: a second answer,
      // or one whose id is not ours ("5" for 5), is dropped here.
      if (typeof message.id === 'number' && this.asked.delete(message.id)) return message;
      this.hooks.onIgnored('a response to no request of ours in flight', { id: message.id });
      return undefined;
    }
    const note = message as unknown as { method: string; params?: unknown };
    if (note.method === CANCEL) return this.cancel(note.params);
    if (KNOWN_NOTIFICATIONS.has(note.method)) return message;
    this.hooks.onIgnored('an unknown notification', { method: note.method });
    return undefined;
  }

  /** vscode-jsonrpc reads `params.id` unchecked and throws on a missing or null one: checked here. */
  private cancel(params: unknown): Message | undefined {
    const id = params && typeof params === 'object' && !Array.isArray(params) ? (params as { id?: unknown }).id : undefined;
    if (typeof id !== 'string' && (typeof id !== 'number' || !Number.isFinite(id))) {
      const got = id === null ? 'null' : Array.isArray(params) ? 'params as an array' : typeof id;
      this.hooks.onIgnored('a $/cancelRequest without a string or number params.id', { got });
      return undefined;
    }
    const mine = this.inner.get(keyOf(id));
    if (mine === undefined) {
      this.hooks.onIgnored('a $/cancelRequest for no request in flight', { id });
      return undefined;
    }
    return { jsonrpc: '2.0', method: CANCEL, params: { id: mine } } as Message;
  }

  private dispatched(mine: number): void {
    const bytes = this.undispatched.get(mine);
    if (bytes === undefined) return;
    this.undispatched.delete(mine);
    this.undispatchedBytes -= bytes;
    this.hooks.onBacklog();
  }

  private outgoing(message: Message): Message {
    if (Message.isRequest(message) && typeof message.id === 'number') this.asked.add(message.id);
    if (!Message.isResponse(message) || typeof message.id !== 'number') return message;
    const id = this.outer.get(message.id);
    if (id === undefined) return message;
    this.outer.delete(message.id);
    this.inner.delete(keyOf(id));
    this.dispatched(message.id); // answered without a dispatch: no longer waiting either
    // In place, as in `incoming`: every answer is a fresh object made to be written once.
    (message as { id: WireId }).id = id;
    return message;
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
