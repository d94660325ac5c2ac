import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer } from '../helpers/server.js';

// docs/protocol-notes.md: "admittedSeq is the seq of the event that recorded the admission:
// prompt.admitted for a queued prompt; prompt.promoted for a prompt that starts a turn at once,
// for a steer and for an edit." Found by the kill -9 torture's admittedSeq invariant.

test('a prompt that starts a turn at once has admittedSeq = promotedSeq = the seq of its prompt.promoted', async (t) => {
  const { client, events } = await startServer(t);
  const thread = await newThread(client);
  const { turn } = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'now' });
  const promoted = await events.waitFor({ kind: 'prompt.promoted', turnId: turn.id });
  assert.deepStrictEqual([promoted.payload.admission.admittedSeq, promoted.payload.admission.promotedSeq], [promoted.seq, promoted.seq]);
});

test(
  'an edit has admittedSeq = promotedSeq = the seq of its prompt.promoted',
  async (t) => {
    const { client, events } = await startServer(t);
    const thread = await newThread(client);
    const first = await client.request('thread/startTurn', { threadId: thread.id, prompt: 'one' });
    await events.turnCompleted(first.turn.id);
    const { turn } = await client.request('thread/editLastTurn', { threadId: thread.id, content: 'uno' });
    const promoted = await events.waitFor({ kind: 'prompt.promoted', turnId: turn.id });
    assert.deepStrictEqual([promoted.payload.admission.admittedSeq, promoted.payload.admission.promotedSeq], [promoted.seq, promoted.seq]);
  },
);
