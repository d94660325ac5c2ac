import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newThread, startServer, BIN } from '../helpers/server.js';
import { startTerminal } from '../helpers/tmux.js';
import { sqliteOnly } from '../helpers/test-db.js';

test('inspect colours its table on a terminal only, and not with NO_COLOR', sqliteOnly('runs inspect in tmux with the file path as is; e2e/postgres-read-only runs inspect on Postgres'), async (t) => {
  const server = await startServer(t);
  await newThread(server.client, { title: 'coloured' });
  await server.spawned.close();
  for (const [noColor, coloured] of [['', true], ['1', false]] as const) {
    const term = await startTerminal(t, [process.execPath, BIN, 'inspect', '--db', server.dbPath], { env: { NO_COLOR: noColor } });
    await term.waitFor('coloured');
    for (const deadline = Date.now() + 8000; !(await term.exited()); ) {
      assert.ok(Date.now() < deadline, 'inspect exits once the table is printed');
      await new Promise((r) => setTimeout(r, 50));
    }
    const styled = await term.styledScreen();
    assert.equal(/\x1b\[1m/.test(styled), coloured, `NO_COLOR=${noColor}:\n${styled}`);
  }
});
