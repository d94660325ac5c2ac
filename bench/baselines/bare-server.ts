// Baseline of row 1: a bare vscode-jsonrpc server over stdio that answers `initialize`, nothing else.
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));
connection.onRequest('initialize', () => ({ protocolVersion: 1, serverInfo: { name: 'bare', version: '0' } }));
connection.onRequest('shutdown', () => null);
connection.onNotification('exit', () => process.exit(0));
connection.onClose(() => process.exit(0));
connection.listen();
