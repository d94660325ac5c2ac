import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startServer } from '../helpers/server.js';
import { startChat } from '../helpers/tmux.js';

test('kill -9 of the server mid-turn: chat says so, restarts it, reloads the thread and runs the queue', async (t) => {
  const chat = await startChat(t);
  await chat.type('!word-delay 150\nw1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20');
  await chat.keys('Enter');
  await chat.waitFor(/echo\[1\]: w1 w2 w3/);
  await chat.type('after the crash');
  await chat.keys('Enter');
  await chat.waitFor('queued 1: after the crash');
  const first = await chat.serverPid();
  process.kill(first, 'SIGKILL');

  await chat.waitFor('the server was killed by SIGKILL; restarting it');
  await chat.waitFor(/server restarted \(pid \d+\)/);
  // The interrupted turn ends as the log says, with every word the server had committed.
  const screen = await chat.waitFor('■ interrupted: server restarted');
  assert.match(screen, /echo\[1\]: w1 w2 w3/);
  // The queued prompt survived in the durable inbox and runs on the new server.
  await chat.waitFor(/echo\[\d\]: after the crash/);
  const second = await chat.serverPid();
  assert.notEqual(second, first);

  // The session goes on as before on the new server.
  await chat.type('still here');
  await chat.keys('Enter');
  await chat.waitFor(/echo\[\d\]: still here/);
  // Nothing shown twice: the replay started after the last event the chat had seen.
  const final = await chat.screen();
  assert.equal(final.match(/› after the crash/g)?.length, 1, final);
  assert.equal(final.match(/■ interrupted/g)?.length, 1, final);
});

test('a turn another server process runs on the same database shows up live in the open thread', async (t) => {
  const chat = await startChat(t);
  await chat.type('hello');
  await chat.keys('Enter');
  await chat.waitFor('echo[1]: hello');
  const other = await startServer(t, { dbPath: chat.dbPath });
  const { threads } = await other.client.request('thread/list', {});
  await other.client.request('thread/startTurn', { threadId: threads[0]!.id, prompt: 'from another process' });
  await chat.waitFor('› from another process');
  await chat.waitFor('echo[2]: from another process');
});
