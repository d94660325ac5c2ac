import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startChat } from '../helpers/tmux.js';

// /fork, /revert, /unrevert, /edit and /move in a real terminal. The echo host's reply counts the
// user messages its engine sees (`echo[N]`, PROTOCOL.md §10): what a fork copied or a revert hid
// shows in N.

type Chat = Awaited<ReturnType<typeof startChat>>;

async function say(chat: Chat, text: string, reply: string): Promise<string> {
  await chat.type(text);
  await chat.keys('Enter');
  const screen = await chat.waitFor(reply);
  await chat.waitFor((s) => !s.includes('● working'));
  return screen;
}

async function command(chat: Chat, line: string): Promise<void> {
  await chat.type(line);
  await chat.keys('Enter');
}

test('/fork copies the thread and switches to it; /fork 1 puts the last prompt in the input to send it again there', async (t) => {
  const chat = await startChat(t, [], { rows: 40 });
  await say(chat, 'alpha', 'echo[1]: alpha');
  await say(chat, 'beta', 'echo[2]: beta');
  await command(chat, '/fork');
  await chat.waitFor('forked from thr_');
  // The fork's log holds none of the copied turns: chat reads and shows them.
  await chat.waitFor(/── copied from thr_\S+: 2 turns ──\n\n› alpha\necho\[1\]: alpha\n\n› beta\necho\[2\]: beta/);
  // The fork's engine starts from the copied history: two user messages before this one.
  await say(chat, 'gamma', 'echo[3]: gamma');
  await command(chat, '/fork 1');
  await chat.waitFor('your prompt is in the input line');
  await chat.waitFor(/› gamma$/m);
  await chat.type(' edited');
  await chat.keys('Enter');
  // Forked before "gamma": alpha and beta copied, so the edited prompt is the third.
  await chat.waitFor('echo[3]: gamma edited');
  await command(chat, '/threads');
  const listed = await chat.waitFor(/ 3 {2}thr_/);
  assert.equal(listed.match(/ {2}thr_\w+/g)?.length, 3, `three threads listed:\n${listed}`);
});

test('/revert N hides the last N prompts from the agent and shows them; /unrevert brings them back', async (t) => {
  const chat = await startChat(t, [], { rows: 40 });
  await say(chat, 'one', 'echo[1]: one');
  await say(chat, 'two', 'echo[2]: two');
  await say(chat, 'three', 'echo[3]: three');
  await command(chat, '/revert 2');
  const reverted = await chat.waitFor('reverted 2 turns');
  assert.match(reverted, /reverted 2 turns: the agent no longer sees\n\s+› two\n\s+› three/);
  await command(chat, '/unrevert');
  await chat.waitFor(/restored 2 turns:\n\s+› two\n\s+› three/);
  await command(chat, '/revert');
  await chat.waitFor(/reverted 1 turn: the agent no longer sees\n\s+› three/);
  // The engine sees one and two, not three.
  await say(chat, 'four', 'echo[3]: four');
  await command(chat, '/revert 9');
  await chat.waitFor('only 3 prompts to revert');
});

test('/move reorders the queue and /edit changes a queued prompt: they run in the new order, edited', async (t) => {
  const chat = await startChat(t, [], { rows: 40 });
  // The first turn waits for an approval, so the queue stays put while it is edited.
  await chat.type('!tool shell ls\nfirst');
  await chat.keys('Enter');
  await chat.waitFor('[y] approve');
  for (const prompt of ['p-one', 'p-two', 'p-three']) await command(chat, prompt);
  await chat.waitFor('queued 3: p-three');
  await command(chat, '/move 3 1');
  await chat.waitFor(/queued 1: p-three\n\s+queued 2: p-one\n\s+queued 3: p-two/);
  await command(chat, '/edit 2');
  await chat.waitFor('editing queued prompt 2');
  await chat.type(' changed');
  await chat.keys('Enter');
  await chat.waitFor('queued 2: p-one changed');
  await command(chat, '/queue');
  await chat.waitFor(/1\. p-three\n\s+2\. p-one changed\n\s+3\. p-two/);
  await command(chat, '/move 1 7');
  await chat.waitFor('usage: /move N M, with N and M between 1 and 3');
  await chat.type('y');
  const done = await chat.waitFor('echo[4]: p-two');
  const order = ['echo[1]: first', 'echo[2]: p-three', 'echo[3]: p-one changed', 'echo[4]: p-two'].map((s) => done.indexOf(s));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), `the new order on screen:\n${done}`);
});

test('/compact summarises the conversation: the summary is shown and the agent starts counting again', async (t) => {
  const chat = await startChat(t, [], { rows: 40 });
  await say(chat, 'one', 'echo[1]: one');
  await say(chat, 'two', 'echo[2]: two');
  await command(chat, '/compact');
  await chat.waitFor(/compacted — the agent now sees this summary[^\n]*\n\s+compacted 4 messages/);
  // The echo engine sees the summary instead of the four messages: its count starts again.
  await say(chat, 'three', 'echo[1]: three');
});

test('/usage shows the thread\'s tokens; /export FILE writes a private document of the thread', async (t) => {
  const chat = await startChat(t, [], { rows: 40 });
  await say(chat, '!usage 120 7\nhello', 'echo[1]: hello');
  await command(chat, '/usage');
  await chat.waitFor('1 turn · 120 input tokens · 7 output');
  const dir = mkdtempSync(join(tmpdir(), 'threadline-chat-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'out.json');
  await command(chat, `/export ${file}`);
  await chat.waitFor(`exported 1 turn to ${file}`);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { format: string }).format, 'threadline.thread');
});
