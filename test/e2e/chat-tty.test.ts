import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startChat } from '../helpers/tmux.js';

// `threadline chat` in a real terminal (tmux): keys typed, the screen read. The echo host's
// directives (PROTOCOL.md §10) make replies slow, hanging or asking for approval.

test('a reply streams word by word while the status says a turn is running, then the prompt is back', async (t) => {
  const chat = await startChat(t);
  await chat.type('!word-delay 150\none two three four five six seven');
  await chat.keys('Enter');
  // Mid-stream: some words shown, not the last, and the live status line says it works.
  const replyLine = (s: string) => /^echo\[1\]:.*$/m.exec(s)?.[0] ?? '';
  const mid = await chat.waitFor((s) => replyLine(s).includes('one two') && !replyLine(s).includes('seven'));
  assert.match(mid, /● working/);
  const done = await chat.waitFor('echo[1]: one two three four five six seven');
  await chat.waitFor((s) => !s.includes('● working'));
  assert.match(done, /› !word-delay 150/, 'the prompt is shown above its reply');
});

test('a reply longer than the screen is printed whole, into the scrollback', async (t) => {
  const chat = await startChat(t, [], { cols: 80, rows: 20 });
  // 900 words of 5 columns: about 57 rows of an 80-column terminal 20 rows high, streamed.
  await chat.type('!word-delay 1\n!repeat 900\nwordy');
  await chat.keys('Enter');
  const screen = await chat.waitFor((s) => /echo\[1\]: (wordy ){899}wordy\n/.test(s), 15_000);
  assert.equal(/^echo\[1\]:.*$/m.exec(screen)![0].match(/wordy/g)!.length, 900);
  await chat.waitFor((s) => !s.includes('● working'));
});

test('Enter while a turn runs queues the prompt, shown with its position, and it runs next', async (t) => {
  const chat = await startChat(t);
  await chat.type('!word-delay 120\nslow first reply with some words in it');
  await chat.keys('Enter');
  await chat.waitFor('● working');
  await chat.type('second prompt');
  await chat.keys('Enter');
  await chat.type('third prompt');
  await chat.keys('Enter');
  const queued = await chat.waitFor('queued 2: third prompt');
  assert.match(queued, /queued 1: second prompt/);
  const after = await chat.waitFor('echo[3]: third prompt');
  const order = ['echo[1]: slow first reply', 'echo[2]: second prompt', 'echo[3]: third prompt'].map((s) => after.indexOf(s));
  assert.ok(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), `FIFO order on screen:\n${after}`);
  assert.doesNotMatch(await chat.screen(0), /queued \d:/, 'the queue is empty again');
});

test('Tab steers the typed text into the running turn instead of queueing it', async (t) => {
  const chat = await startChat(t);
  await chat.type('!word-delay 150\nslow words for a while so there is time to steer');
  await chat.keys('Enter');
  await chat.waitFor(/echo\[1\]: slow/);
  await chat.type('steered in');
  await chat.keys('Tab');
  // The same turn answers it (a second agent message), nothing was queued.
  const screen = await chat.waitFor('echo[2]: steered in');
  assert.doesNotMatch(screen, /queued 1:/);
  assert.match(screen, /› steered in/);
});

test('/queue lists the queue and /cancel drops a queued prompt', async (t) => {
  const chat = await startChat(t);
  await chat.type('!hang');
  await chat.keys('Enter');
  await chat.waitFor('● working');
  for (const p of ['keep me', 'drop me']) {
    await chat.type(p);
    await chat.keys('Enter');
  }
  await chat.waitFor('queued 2: drop me');
  await chat.type('/queue');
  await chat.keys('Enter');
  await chat.waitFor(/1\. keep me\n\s+2\. drop me/);
  await chat.type('/cancel 2');
  await chat.keys('Enter');
  await chat.waitFor('cancelled queued prompt: drop me');
  assert.doesNotMatch(await chat.screen(0), /queued 2:/);
  assert.match(await chat.screen(0), /queued 1: keep me/);
});

test('Ctrl-C interrupts the running turn; then Ctrl-C twice exits cleanly', async (t) => {
  const chat = await startChat(t);
  await chat.type('!hang');
  await chat.keys('Enter');
  await chat.waitFor('● working');
  await chat.keys('C-c');
  await chat.waitFor('■ interrupted');
  await chat.waitFor((s) => !s.includes('● working'));
  assert.equal(await chat.exited(), false, 'one Ctrl-C only interrupts');
  await chat.keys('C-c');
  await chat.waitFor('press Ctrl-C again to exit');
  await chat.keys('C-c');
  await waitUntil(() => chat.exited());
});

test('Ctrl-D on an empty prompt exits, and the server is shut down', async (t) => {
  const chat = await startChat(t);
  const server = await chat.serverPid();
  await chat.keys('C-d');
  await waitUntil(() => chat.exited());
  await waitUntil(async () => !alive(server));
});

test('↑ puts the last prompt in the editor; Enter sends it as thread/editLastTurn', async (t) => {
  const chat = await startChat(t);
  await chat.type('first version');
  await chat.keys('Enter');
  await chat.waitFor('echo[1]: first version');
  await chat.keys('Up');
  await chat.waitFor('✎ first version');
  await chat.keys('C-u');
  await chat.type('second version');
  await chat.keys('Enter');
  // The engine's history dropped the first message: the reply counts one message again.
  const screen = await chat.waitFor('echo[1]: second version');
  assert.match(screen, /edited: the previous turn was replaced/);
});

test('an approval is asked inline: y approves, n denies', async (t) => {
  const chat = await startChat(t);
  await chat.type('!tool shell rm -rf /tmp/nothing\nafter approval');
  await chat.keys('Enter');
  await chat.waitFor('? approve shell: rm -rf /tmp/nothing');
  await chat.waitFor('[y] approve');
  // Text typed while it waits is text, not an answer (its "a" and "n" must not decide).
  await chat.type('and now this');
  await chat.keys('Enter');
  await chat.waitFor('queued 1: and now this');
  assert.match(await chat.screen(0), /\[y\] approve/, 'still asking');
  await chat.type('y');
  await chat.waitFor('echo[1]: after approval');
  await chat.waitFor('echo[2]: and now this');
  const screen = await chat.screen();
  assert.match(screen, /approved/);
  assert.match(screen, /✓ rm -rf \/tmp\/nothing/);

  await chat.type('!tool edit change a file\nafter denial');
  await chat.keys('Enter');
  await chat.waitFor('? approve edit: change a file');
  await chat.type('n');
  await chat.waitFor('echo[3]: after denial');
  assert.match(await chat.screen(), /denied/);
});

test('/threads lists the threads with their status; /switch opens one with its history', async (t) => {
  const chat = await startChat(t);
  await chat.type('alpha thread');
  await chat.keys('Enter');
  await chat.waitFor('echo[1]: alpha thread');
  await chat.type('/new');
  await chat.keys('Enter');
  await chat.waitFor('created with your next prompt');
  await chat.type('beta thread');
  await chat.keys('Enter');
  await chat.waitFor('echo[1]: beta thread');
  await chat.type('/threads');
  await chat.keys('Enter');
  const list = await chat.waitFor(/2\s+thr_\S+\s+alpha thread\s+idle/);
  assert.match(list, /●\s+1\s+thr_\S+\s+beta thread\s+idle/, 'the open thread is marked');
  const alphaId = /2\s+(thr_\S+)\s+alpha thread/.exec(list)![1]!;
  await chat.keys('C-l'); // ignored by the editor: nothing typed
  await chat.type('/switch 2');
  await chat.keys('Enter');
  await chat.waitFor(`── thread ${alphaId} ──`);
  await chat.waitFor(/── alpha thread · \d+ events ──/);
  await chat.type('more alpha');
  await chat.keys('Enter');
  await chat.waitFor('echo[2]: more alpha');
  await chat.type('/help');
  await chat.keys('Enter');
  await chat.waitFor(/\/switch N\|ID\s+open thread N/);
  await chat.type('/nope');
  await chat.keys('Enter');
  await chat.waitFor('unknown command /nope (try /help)');
});

test('markdown in a reply is rendered: bold, code and links without their markup', async (t) => {
  const chat = await startChat(t);
  // The echo host joins lines with spaces, so one line of markdown at a time.
  await chat.type('some **bold** and `code` and [a link](https://example.com)');
  await chat.keys('Enter');
  const screen = await chat.waitFor('echo[1]: some bold and code and a link (https://example.com)');
  assert.match(screen, /› some \*\*bold\*\*/, 'the prompt is shown as typed');
  const styled = await chat.styledScreen();
  assert.match(styled, /\x1b\[1mbold/, 'bold is bold on a terminal');
});

test('NO_COLOR turns colour off', async (t) => {
  const chat = await startChat(t, [], { env: { NO_COLOR: '1' } });
  await chat.type('some **bold** text');
  await chat.keys('Enter');
  await chat.waitFor('echo[1]: some bold text');
  assert.doesNotMatch(await chat.styledScreen(), /\x1b\[/);
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
