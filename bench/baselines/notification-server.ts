// Baseline of row 5: `stream` sends `count` notifications shaped like Threadline's item.delta
// events, as fast as vscode-jsonrpc writes them, nothing persisted; then answers.
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('stream', async (p: { count: number; word: string; threadId: string; turnId: string; itemId: string }) => {
  const time = new Date().toISOString();
  for (let i = 0; i < p.count; i++) {
    const event = { seq: i + 1, threadId: p.threadId, turnId: p.turnId, itemId: p.itemId, kind: 'item.delta', payload: { itemId: p.itemId, text: ` ${p.word}` }, time };
    const written = connection.sendNotification('thread/event', event);
    if (i % 256 === 255) await written; // keep the write queue bounded
  }
  return { sent: p.count };
});
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
