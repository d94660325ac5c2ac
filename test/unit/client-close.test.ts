import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ServerExitedError, ThreadlineClient } from '@threadline/protocol';
import { StderrLines } from '../../protocol/stderr-lines.js';

/** A client whose "server" never answers; `end()` closes the server → client stream. */
function silentServer(closeReason?: Promise<ServerExitedError>) {
  const toClient = new PassThrough();
  const toServer = new PassThrough();
  toServer.resume();
  const connection = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer));
  return { client: new ThreadlineClient(connection, closeReason ? { closeReason } : {}), end: () => toClient.end() };
}

test('a pending request rejects with ServerExitedError when the connection closes, and so does every later one', { timeout: 10_000 }, async () => {
  const { client, end } = silentServer();
  const pending = client.request('thread/list');
  const closed = new Promise<ServerExitedError>((resolve) => client.onClose(resolve));
  end();
  const error = await pending.then(() => assert.fail('resolved'), (e: unknown) => e);
  assert.ok(error instanceof ServerExitedError);
  assert.match(error.message, /connection to the threadline server closed/);
  assert.equal(await closed, error);
  await assert.rejects(client.request('thread/list'), (later: unknown) => later === error);
});

test('with a closeReason (what spawnThreadline passes), pending requests reject with it', { timeout: 10_000 }, async () => {
  let exit!: (error: ServerExitedError) => void;
  const reason = new Promise<ServerExitedError>((resolve) => (exit = resolve));
  const { client, end } = silentServer(reason);
  const pending = client.request('turn/wait', { turnId: 'turn_x' });
  end();
  const exitError = ServerExitedError.fromExit({ exitCode: 2, signal: null, stderrTail: ['threadline: bad --db'] });
  exit(exitError);
  await assert.rejects(pending, (e: unknown) => e === exitError);
  assert.equal(exitError.message, 'the threadline server exited with code 2: threadline: bad --db');
});

test('StderrLines: lines across chunks, the last unterminated one at the end, a bounded tail', () => {
  const seen: string[] = [];
  const lines = new StderrLines((line) => seen.push(line));
  lines.push('one\ntw');
  lines.push('o\r\n\nthree');
  assert.deepEqual(seen, ['one', 'two']);
  lines.end();
  assert.deepEqual(seen, ['one', 'two', 'three']);
  for (let i = 0; i < 100; i++) lines.push(`line ${i}\n`);
  assert.equal(lines.tail().length, 20);
  assert.equal(lines.tail().at(-1), 'line 99');
  lines.push(`${'x'.repeat(1_000_000)}\n`);
  assert.equal(lines.tail().at(-1)!.length, 4096, 'a runaway line is cut, not kept whole');
});
