import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { AbstractMessageReader, AbstractMessageWriter, Disposable, type DataCallback, type Message, type MessageReader, type MessageWriter } from 'vscode-jsonrpc/node';

/**
 * Codex's app-server frames JSON-RPC as one JSON object per line (no Content-Length headers).
 * These plug that framing into vscode-jsonrpc, so its side of the bench still goes through the
 * same MessageConnection as Threadline's; only the framing differs, as it does on the wire.
 */
class NdjsonReader extends AbstractMessageReader implements MessageReader {
  constructor(private readonly input: Readable) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    const lines = createInterface({ input: this.input, crlfDelay: Infinity });
    lines.on('line', (line) => {
      if (line.trim() === '') return;
      try {
        callback(JSON.parse(line) as Message);
      } catch (error) {
        this.fireError(error);
      }
    });
    lines.on('close', () => this.fireClose());
    this.input.on('error', (error) => this.fireError(error));
    return Disposable.create(() => lines.close());
  }
}

class NdjsonWriter extends AbstractMessageWriter implements MessageWriter {
  constructor(private readonly output: Writable) {
    super();
    output.on('error', (error) => this.fireError(error));
    output.on('close', () => this.fireClose());
  }

  write(message: Message): Promise<void> {
    return new Promise((resolve, reject) => {
      this.output.write(`${JSON.stringify(message)}\n`, (error) => (error ? reject(error) : resolve()));
    });
  }

  end(): void {}
}

export const ndjsonFraming = (stdout: Readable, stdin: Writable): [MessageReader, MessageWriter] => [new NdjsonReader(stdout), new NdjsonWriter(stdin)];
