/**
 * `with-postgres.ts COMMAND [ARGS…]`: runs COMMAND with one throwaway PostgreSQL server that every
 * test process it starts shares (THREADLINE_TEST_POSTGRES names it; test/helpers/postgres.ts
 * attaches to it instead of running initdb per test file), then stops the server and exits with
 * COMMAND's status. The server is the tests' usual one: a fresh temp directory, a free loopback
 * port, a random password.
 */
import { spawn } from 'node:child_process';
import { RUN_SERVER_ENV, startPostgres, type RunServer } from '../test/helpers/postgres.js';

const [command, ...args] = process.argv.slice(2);
if (!command) {
  process.stderr.write('usage: with-postgres.ts COMMAND [ARGS…]\n');
  process.exit(2);
}

const server = await startPostgres();
const shared: RunServer = { baseUrl: server.baseUrl, port: server.port, password: server.password, dataDir: server.dataDir, bin: server.bin };
const child = spawn(command, args, { stdio: 'inherit', env: { ...process.env, [RUN_SERVER_ENV]: JSON.stringify(shared) } });
// The terminal's Ctrl-C reaches the child by itself (same process group); a signal sent to this
// process alone (a CI timeout) is passed on, and the server stops when the child has gone.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) => {
  child.once('error', (error) => {
    process.stderr.write(`with-postgres: ${command}: ${error.message}\n`);
    resolve(127);
  });
  child.once('exit', (status, signal) => resolve(status ?? (signal ? 128 : 1)));
});
server.stop();
process.exit(code);
