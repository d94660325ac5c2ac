// Baseline of rows 2-4 on Postgres: each `commit` request is one single-row INSERT committed on
// its own (one statement outside a transaction block: one round trip), answered after the
// server acknowledged the COMMIT. `pg` 8 with a named (prepared) statement, as the store uses it;
// a pool of 10 like the store's, so requests in flight together commit side by side.
// Usage: pg-commit-server.cjs POSTGRES_URL
import pg from 'pg';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const pool = new pg.Pool({ connectionString: process.argv[2], max: 10 });
pool.on('error', () => {});
const ready = pool.query('CREATE TABLE IF NOT EXISTS prompts (id bigserial PRIMARY KEY, thread_id text NOT NULL, prompt text NOT NULL)');

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('commit', async (p: { threadId: string; prompt: string }) => {
  await ready;
  const { rows } = await pool.query<{ id: string }>({
    name: 'insert',
    text: 'INSERT INTO prompts (thread_id, prompt) VALUES ($1, $2) RETURNING id',
    values: [p.threadId, p.prompt],
  });
  return { id: Number(rows[0]!.id) };
});
connection.onRequest('shutdown', async () => {
  await pool.end();
  return null;
});
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
