// The floor of row 13: what a `thread/search` page must do, done raw by a bare vscode-jsonrpc
// server over stdio. Each `search` request runs the page query of Threadline's SQLite store
// (the same FTS5 MATCH of quoted word prefixes, ranked, the hit's document and thread joined, one
// extra row), maps each hit's thread row to its record and answers the page — no validation, no
// transaction, no cursor, no orchestrator. Usage: search-floor-server.cjs DB_PATH
import Database from 'better-sqlite3';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { THREAD_SELECT_LIST, THREAD_VALUES, toThread, type ThreadValues } from '../../src/store/sqlite/tables/threads.js';

const db = new Database(process.argv[2]!, { readonly: true, fileMustExist: true });
// Raw rows, as the store reads them: the thread's columns, then the hit's.
const page = db
  .prepare<[string, number], ThreadValues>(`SELECT ${THREAD_SELECT_LIST}, f.rowid, d.turn_id, d.item_id, snippet(search_fts, 0, '', '', '…', 24)
  FROM search_fts f JOIN search_docs d ON d.id = f.rowid JOIN threads t ON t.id = d.thread_id
  WHERE search_fts MATCH ? AND t.archived = 0
  ORDER BY f.rank LIMIT ?`)
  .raw();

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('search', (p: { query: string; limit: number }) => {
  const match = p.query.split(' ').map((word) => `"${word}"*`).join(' ');
  const rows = page.all(match, p.limit + 1).slice(0, p.limit);
  return {
    results: rows.map((r) => {
      const [, turnId, itemId, snippet] = r.slice(THREAD_VALUES);
      return { thread: toThread(r), snippet, turnId, itemId };
    }),
  };
});
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
