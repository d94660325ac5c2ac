import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy that forwards nothing: every Codex child gets HTTP(S)_PROXY pointing here (NO_PROXY
 * exempts the loopback mock), so any request it would make to the internet — update checks,
 * analytics, remote model lists, plugins — is refused, and counted for the report.
 */
export interface NetworkSentinel {
  url: string;
  attempts: Map<string, number>;
  close(): Promise<void>;
}

export async function startNetworkSentinel(): Promise<NetworkSentinel> {
  const attempts = new Map<string, number>();
  const count = (target: string) => attempts.set(target, (attempts.get(target) ?? 0) + 1);
  const server = createServer((req, res) => {
    count(req.url ?? '?');
    res.writeHead(403).end();
  });
  server.on('connect', (req, socket) => {
    count(req.url ?? '?');
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
