import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startChat } from '../helpers/tmux.js';

// `threadline chat` in tmux: an approval offers the persistent choices with the rule they store
// (t: this thread, Y: always approve, N: always deny), and /rules lists and revokes the rules.

const count = (screen: string, text: string) => screen.split(text).length - 1;

test('approve for this thread stores a rule shown by /rules; the next matching command is not asked; /rules revoke asks again; N denies for good', async (t) => {
  const chat = await startChat(t);
  await chat.type('!tool shell git status -s\nfirst');
  await chat.keys('Enter');
  const asked = await chat.waitFor('? approve shell: git status -s');
  assert.match(await chat.waitFor('[N] always deny'), /rule for "always": `git status` commands (in \/|everywhere)/);
  assert.match(asked + (await chat.screen(0)), /\[y\] approve {3}\[t\] approve for this thread {3}\[Y\] always approve {3}\[n\] deny {3}\[N\] always deny/);
  await chat.type('t');
  await chat.waitFor('echo[1]: first');

  // Matched by the thread's rule: decided without asking.
  await chat.type('!tool shell git status\nsecond');
  await chat.keys('Enter');
  await chat.waitFor('echo[2]: second');
  assert.equal(count(await chat.screen(), 'approved (rule)'), 1);

  await chat.type('/rules');
  await chat.keys('Enter');
  await chat.waitFor(/ 1 {2}allow {2}`git status` commands in this thread/);
  await chat.type('/rules revoke 1');
  await chat.keys('Enter');
  await chat.waitFor('revoked: allow `git status` commands in this thread');

  // Asked again; N stores a deny rule that decides the next one.
  await chat.type('!tool shell git status\nthird');
  await chat.keys('Enter');
  await chat.waitFor('? approve shell: git status');
  await chat.waitFor('[N] always deny');
  await chat.type('N');
  await chat.waitFor('echo[3]: third');
  await chat.type('!tool shell git status --short\nfourth');
  await chat.keys('Enter');
  await chat.waitFor('echo[4]: fourth');
  const screen = await chat.screen();
  assert.equal(count(screen, 'denied (rule)'), 1);
  assert.equal(count(screen, 'approved (rule)'), 1);
  await chat.type('/rules');
  await chat.keys('Enter');
  await chat.waitFor(/ 1 {2}deny {3}`git status` commands (in \/|everywhere)/);
});
