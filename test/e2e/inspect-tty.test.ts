import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer, BIN } from '../helpers/server.js';
import { startTerminal } from '../helpers/tmux.js';
import { testDb } from '../helpers/test-db.js';

test('inspect colours its table on a terminal only, and not with NO_COLOR', async (t) => {
  const server = await startServer(t);
  await newThread(server.client, { title: 'coloured' });
  await server.spawned.close();
  const db = await testDb(server.dbPath); // the file, or on Postgres the server's database URL
  for (const [noColor, coloured] of [['', true], ['1', false]] as const) {
    const term = await startTerminal(t, [process.execPath, BIN, 'inspect', '--db', db], { env: { NO_COLOR: noColor } });
    await term.waitFor('coloured');
    for (const deadline = Date.now() + 8000; !(await term.exited()); ) {
      assert.ok(Date.now() < deadline, 'inspect exits once the table is printed');
      await new Promise((r) => setTimeout(r, 50));
    }
    const styled = await term.styledScreen();
    assert.equal(/\x1b\[1m/.test(styled), coloured, `NO_COLOR=${noColor}:\n${styled}`);
  }
});
