import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { FramedMessageReader, FramedMessageWriter, RawJson, type Framing, type RejectedMessage } from '@threadline/protocol/node';

/** vscode-jsonrpc's Message, as the writer takes it. */
type Message = Parameters<FramedMessageWriter['write']>[0];

const ping = { jsonrpc: '2.0', method: 'ping' };
const hello = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { clientInfo: { name: 'héllo ✓ 日本' } } };
const big = { jsonrpc: '2.0', id: 9, method: 'thread/startTurn', params: { prompt: 'x'.repeat(300) } };
const MAX = 100;

/** One message on the wire in `framing`: LSP headers or a line. */
function encode(framing: Framing, body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return framing === 'lsp'
    ? Buffer.concat([Buffer.from(`Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes])
    : Buffer.concat([bytes, Buffer.from('\n')]);
}

const json = (framing: Framing, value: unknown) => encode(framing, JSON.stringify(value));

/** Feeds `chunks` to a reader, ends the stream and returns what it delivered and what it rejected (code and id). */
async function read(framing: Framing, chunks: Buffer[], maxMessageBytes?: number) {
  const stream = new PassThrough();
  const messages: unknown[] = [];
  const rejected: RejectedMessage[] = [];
  const reader = new FramedMessageReader(stream, {
    framing,
    ...(maxMessageBytes === undefined ? {} : { maxMessageBytes }),
    onRejected: (r) => rejected.push(r),
  });
  const subscription = reader.listen((message) => messages.push(message));
  const ended = once(stream, 'end');
  for (const chunk of chunks) stream.write(chunk);
  stream.end();
  await ended;
  subscription.dispose();
  return { messages, rejections: rejected.map(({ code, id }) => ({ code, id })), rejected };
}

const bytewise = (buffer: Buffer) => Array.from({ length: buffer.length }, (_, i) => buffer.subarray(i, i + 1));

for (const framing of ['lsp', 'ndjson'] as const) {
  test(`${framing}: however the stream is cut, every message is delivered once, whole and in order, and one over the limit is rejected`, async () => {
    // Messages large and small; the reader keeps a large one's chunks apart until it is complete.
    const message = fc.record({ jsonrpc: fc.constant('2.0'), id: fc.nat(), method: fc.constant('x'), params: fc.record({ text: fc.string({ unit: 'binary', maxLength: 3000 }) }, { noNullPrototype: true }) }, { noNullPrototype: true });
    await fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 12 }), async (messages, cuts) => {
        const wire = Buffer.concat(messages.map((m) => json(framing, m)));
        const at = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((from, i) => wire.subarray(from, at[i] ?? wire.length)).filter((c) => c.length > 0);
        const limit = 2000; // some messages are over it
        const { messages: delivered, rejections } = await read(framing, chunks, limit);
        const fits = (m: unknown) => Buffer.byteLength(JSON.stringify(m)) <= limit;
        assert.deepStrictEqual(delivered, messages.filter(fits));
        assert.deepStrictEqual(rejections.length, messages.filter((m) => !fits(m)).length);
      }),
      { numRuns: 200 },
    );
  });

  test(`${framing}: a message split into 1-byte chunks is delivered once`, async () => {
    const { messages, rejections } = await read(framing, bytewise(json(framing, hello)));
    assert.deepStrictEqual(messages, [hello]);
    assert.deepStrictEqual(rejections, []);
  });

  test(`${framing}: two messages in one chunk are both delivered, in order`, async () => {
    const { messages, rejections } = await read(framing, [Buffer.concat([json(framing, hello), json(framing, ping)])]);
    assert.deepStrictEqual(messages, [hello, ping]);
    assert.deepStrictEqual(rejections, []);
  });

  test(`${framing}: a frame that is not JSON is rejected -32700 and the next message is still delivered`, async () => {
    const { messages, rejections, rejected } = await read(framing, [
      Buffer.concat([encode(framing, '{"jsonrpc": "2.0", oops'), json(framing, ping)]),
    ]);
    assert.deepStrictEqual(rejections, [{ code: -32700, id: null }]);
    assert.match(rejected[0]!.message, /^Parse error/);
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: a frame with invalid UTF-8 bytes is rejected -32700`, async () => {
    const body = Buffer.concat([
      Buffer.from('{"jsonrpc":"2.0","method":"x","params":{"s":"'),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from('"}}'),
    ]);
    const { messages, rejections } = await read(framing, [encode(framing, body), json(framing, ping)]);
    assert.deepStrictEqual(rejections, [{ code: -32700, id: null }]);
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: a batch (JSON array) is rejected -32600`, async () => {
    const { messages, rejections } = await read(framing, [json(framing, [ping, ping]), json(framing, ping)]);
    assert.deepStrictEqual(rejections, [{ code: -32600, id: null }]);
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: a request whose method is not a string is rejected -32600 with its id`, async () => {
    const { messages, rejections } = await read(framing, [encode(framing, '{"jsonrpc":"2.0","id":7,"method":5}')]);
    assert.deepStrictEqual(rejections, [{ code: -32600, id: 7 }]);
    assert.deepStrictEqual(messages, []);
  });

  test(`${framing}: a message without "jsonrpc": "2.0" is rejected -32600 with its string id`, async () => {
    const { rejections } = await read(framing, [json(framing, { jsonrpc: '1.0', id: 'a', method: 'x' })]);
    assert.deepStrictEqual(rejections, [{ code: -32600, id: 'a' }]);
  });

  test(`${framing}: a message over maxMessageBytes is rejected -32600 with its id and the next one is delivered`, async () => {
    const { messages, rejections, rejected } = await read(
      framing,
      [Buffer.concat([json(framing, big), json(framing, ping)])],
      MAX,
    );
    assert.deepStrictEqual(rejections, [{ code: -32600, id: 9 }]);
    assert.match(rejected[0]!.message, new RegExp(`${JSON.stringify(big).length} bytes.*limit of ${MAX} bytes`));
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: a message over maxMessageBytes arriving byte by byte is discarded and the next one is delivered`, async () => {
    const { messages, rejections } = await read(
      framing,
      bytewise(Buffer.concat([json(framing, big), json(framing, ping)])),
      MAX,
    );
    assert.deepStrictEqual(rejections.map((r) => r.code), [-32600]);
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: a message of exactly maxMessageBytes is delivered`, async () => {
    const { messages, rejections } = await read(framing, [json(framing, ping)], JSON.stringify(ping).length);
    assert.deepStrictEqual(rejections, []);
    assert.deepStrictEqual(messages, [ping]);
  });

  test(`${framing}: FramedMessageWriter output read back by FramedMessageReader is the same message`, async () => {
    const out = new PassThrough();
    const writer = new FramedMessageWriter(out, framing);
    await writer.write(hello);
    await writer.write(ping);
    const { messages } = await read(framing, [out.read() as Buffer]);
    assert.deepStrictEqual(messages, [hello, ping]);
  });
}

test('lsp: a header block without Content-Length is rejected -32700 and the reader resyncs on the next frame', async () => {
  const { messages, rejections } = await read('lsp', [
    Buffer.from('Content-Type: application/vscode-jsonrpc\r\n\r\n'),
    json('lsp', ping),
  ]);
  assert.deepStrictEqual(rejections, [{ code: -32700, id: null }]);
  assert.deepStrictEqual(messages, [ping]);
});

test('lsp: a Content-Length that is not a number is rejected -32700 and the next frame is delivered', async () => {
  const { messages, rejections } = await read('lsp', [Buffer.from('Content-Length: lots\r\n\r\n'), json('lsp', hello)]);
  assert.deepStrictEqual(rejections, [{ code: -32700, id: null }]);
  assert.deepStrictEqual(messages, [hello]);
});

test('lsp: header names are case-insensitive and other headers are ignored', async () => {
  const body = JSON.stringify(ping);
  const frame = `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const { messages, rejections } = await read('lsp', [Buffer.from(frame)]);
  assert.deepStrictEqual(rejections, []);
  assert.deepStrictEqual(messages, [ping]);
});

test('ndjson: blank lines are ignored and CRLF line endings work', async () => {
  const text = `\n${JSON.stringify(hello)}\r\n\r\n   \n\t\r\n${JSON.stringify(ping)}\r\n\n`;
  const { messages, rejections } = await read('ndjson', [Buffer.from(text)]);
  assert.deepStrictEqual(rejections, []);
  assert.deepStrictEqual(messages, [hello, ping]);
});

test('lsp: FramedMessageWriter writes Content-Length in UTF-8 bytes, then the JSON', async () => {
  const out = new PassThrough();
  await new FramedMessageWriter(out, 'lsp').write({ jsonrpc: '2.0', method: 'note', params: { text: 'é✓' } } as Message);
  const body = '{"jsonrpc":"2.0","method":"note","params":{"text":"é✓"}}';
  assert.equal(body.length, 56);
  assert.equal((out.read() as Buffer).toString('utf8'), `Content-Length: 59\r\n\r\n${body}`);
});

test('ndjson: FramedMessageWriter writes the JSON followed by one newline', async () => {
  const out = new PassThrough();
  await new FramedMessageWriter(out, 'ndjson').write({ jsonrpc: '2.0', id: 3, result: { ok: 'é' } } as Message);
  assert.equal((out.read() as Buffer).toString('utf8'), '{"jsonrpc":"2.0","id":3,"result":{"ok":"é"}}\n');
});

test('lsp: an oversized frame whose header and body arrive in separate chunks is rejected with its id', async () => {
  const body = Buffer.from(JSON.stringify(big));
  const { messages, rejections } = await read(
    'lsp',
    [Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), ...bytewise(body), json('lsp', ping)],
    MAX,
  );
  assert.deepStrictEqual(rejections, [{ code: -32600, id: 9 }]);
  assert.deepStrictEqual(messages, [ping]);
});

test('lsp: a frame without Content-Length but with a body is rejected and the next frame is still delivered', async () => {
  const { messages, rejections } = await read('lsp', [Buffer.concat([Buffer.from('Foo: bar\r\n\r\n{"a":1}'), json('lsp', ping)])]);
  assert.deepStrictEqual(rejections, [{ code: -32700, id: null }]);
  assert.deepStrictEqual(messages, [ping]);
});

for (const framing of ['lsp', 'ndjson'] as const) {
  test(`${framing}: a callback that throws on one message is reported and the next message of the same chunk is still delivered`, () => {
    const stream = new PassThrough();
    const reader = new FramedMessageReader(stream, { framing });
    const errors: string[] = [];
    reader.onError((error) => errors.push(error.message));
    const delivered: unknown[] = [];
    reader.listen((message) => {
      if ((message as { method?: string }).method === 'ping') throw new Error('choked');
      delivered.push(message);
    });
    stream.write(Buffer.concat([json(framing, ping), json(framing, hello)])); // 'data' is emitted within write()
    assert.deepStrictEqual(errors, ['choked']);
    assert.deepStrictEqual(delivered, [hello]);
  });

  test(`${framing}: pause() holds messages (and the end) until resume(), which delivers them in order`, async () => {
    const stream = new PassThrough();
    const reader = new FramedMessageReader(stream, { framing });
    const delivered: unknown[] = [];
    let closed = false;
    reader.onClose(() => (closed = true));
    reader.listen((message) => {
      delivered.push(message);
      if (delivered.length === 1) reader.pause(); // paused by the first message, mid-chunk
    });
    stream.end(Buffer.concat([json(framing, ping), json(framing, hello), json(framing, big)]));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepStrictEqual(delivered, [ping]);
    assert.equal(closed, false, 'the close must not overtake the held messages');
    reader.resume();
    assert.deepStrictEqual(delivered, [ping, hello, big]);
    if (!closed) await once(stream, 'end');
    assert.equal(closed, true);
  });
}

test('FramedMessageWriter.whenBelow resolves once the peer has read the unread output down to the mark', async () => {
  const out = new PassThrough({ highWaterMark: 16 });
  const writer = new FramedMessageWriter(out, 'ndjson');
  void writer.write({ jsonrpc: '2.0', method: 'note', params: { text: 'x'.repeat(10_000) } } as Message);
  await new Promise((resolve) => setImmediate(resolve)); // flushed into the stream, not read
  assert.ok(writer.bufferedBytes > 10_000, `bufferedBytes ${writer.bufferedBytes}`);
  let below = false;
  const waiting = writer.whenBelow(100).then(() => (below = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(below, false);
  out.resume(); // the peer reads
  await waiting;
  assert.ok(writer.bufferedBytes <= 100);
});

test('FramedMessageWriter: what a run of promise reactions writes leaves in one write, before the next event-loop turn', async () => {
  const out = new PassThrough();
  const writes: string[] = [];
  const write = out.write.bind(out);
  out.write = ((chunk: string, ...rest: never[]) => (writes.push(String(chunk)), write(chunk, ...rest))) as typeof out.write;
  const writer = new FramedMessageWriter(out, 'ndjson');
  // A commit's event, then (a few promise reactions later) the answer it settles.
  let nextTurn = -1;
  setImmediate(() => (nextTurn = writes.length));
  await Promise.resolve().then(async () => {
    void writer.write({ jsonrpc: '2.0', method: 'thread/event', params: { seq: 1 } } as Message);
    await Promise.resolve();
    await Promise.resolve();
    void writer.write({ jsonrpc: '2.0', id: 7, result: { ok: true } } as Message);
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 1, 'the event and the answer leave in one write');
  assert.equal(nextTurn, 1, 'written before the event loop turned');
  assert.deepEqual(writes[0]!.trim().split('\n').map((l) => JSON.parse(l).id ?? JSON.parse(l).method), ['thread/event', 7]);
  // Frames of separate event-loop turns are not held back for each other.
  void writer.write({ jsonrpc: '2.0', method: 'ping' } as Message);
  await new Promise((resolve) => setImmediate(resolve));
  void writer.write({ jsonrpc: '2.0', method: 'ping' } as Message);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(writes.length, 3);
});

for (const framing of ['lsp', 'ndjson'] as const) {
  test(`${framing}: a RawJson result in parts, one of them large, reads back as the message it spells, between the frames written with it`, async () => {
    const out = new PassThrough();
    const written: Buffer[] = [];
    out.on('data', (chunk: Buffer) => written.push(chunk));
    const writer = new FramedMessageWriter(out, framing);
    const events = Array.from({ length: 400 }, (_, i) => ({ seq: i + 1, text: `héllo ✓ ${'x'.repeat(300)}` }));
    const eventsJson = JSON.stringify(events); // over 64 KB: written on its own, not joined
    assert.ok(eventsJson.length > 64 * 1024);
    const parts = ['{"events":', eventsJson, ',"lastSeq":400}'];
    await Promise.all([
      writer.write(ping as Message),
      writer.write({ jsonrpc: '2.0', id: 3, result: new RawJson(parts) } as unknown as Message),
      writer.write({ jsonrpc: '2.0', id: 4, result: new RawJson('{"ok":true}') } as unknown as Message),
      writer.write(hello as Message),
    ]);
    const { messages, rejections } = await read(framing, [Buffer.concat(written)]);
    assert.deepStrictEqual(rejections, []);
    assert.deepStrictEqual(messages, [ping, { jsonrpc: '2.0', id: 3, result: { events, lastSeq: 400 } }, { jsonrpc: '2.0', id: 4, result: { ok: true } }, hello]);
  });
}
