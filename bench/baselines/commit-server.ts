// Baseline of rows 2-4: each `commit` request is one single-row SQLite commit (WAL, the given
// synchronous), answered after COMMIT returns. Usage: commit-server.cjs DB_PATH FULL|NORMAL
import Database from 'better-sqlite3';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const [path, synchronous] = process.argv.slice(2);
const db = new Database(path!);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous === 'NORMAL' ? 'NORMAL' : 'FULL'}`);
db.exec('CREATE TABLE IF NOT EXISTS prompts (id INTEGER PRIMARY KEY, thread_id TEXT NOT NULL, prompt TEXT NOT NULL) STRICT');
const insert = db.prepare('INSERT INTO prompts (thread_id, prompt) VALUES (?, ?)');
const commitOne = db.transaction((threadId: string, prompt: string) => insert.run(threadId, prompt).lastInsertRowid);

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('commit', (p: { threadId: string; prompt: string }) => ({ id: Number(commitOne.immediate(p.threadId, p.prompt)) }));
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
