import './zod-config.js'; // first: before any schema is built
import { acp } from './cli/acp.js';
import { fail } from './cli/fail.js';

/**
 * `threadline acp`'s entry point, its own bundle (dist/acp.cjs, which bin/threadline runs for that
 * command alone), so that serve's bundle carries none of the ACP SDK: every byte of a bundle is
 * read and copied at every start (the SDK and the Postgres driver together were ~1 ms of serve's).
 */
acp(process.argv.slice(3)).catch((error: unknown) => fail(error));
