import { USAGE } from './cli/help.js';
import { UsageError } from './cli/args.js';
import { serve } from './cli/serve.js';
import { demo } from './cli/demo.js';
import { HostNotFoundError } from './host/load.js';
import { runFrontend } from './cli/frontend.js';
import { VERSION } from './version.js';

/** Subcommands of the frontend bundle (clients/chat), which serve and acp never load. */
const FRONTEND_COMMANDS = new Set(['chat', 'schema', 'inspect', 'usage', 'export', 'import']);

/** The composition root: argv → subcommand. Start-up failures are one stderr line and exit 2. */
function main(argv: string[]): void {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
    } else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
    } else if (command === 'serve') {
      serve(rest).catch((error: unknown) => fail(error));
    } else if (command === 'acp') {
      // Loaded on use: the ACP SDK stays out of serve's start-up.
      import('./cli/acp.js').then(({ acp }) => acp(rest)).catch((error: unknown) => fail(error));
    } else if (FRONTEND_COMMANDS.has(command)) {
      // Exit once stdout is flushed (a pipe is asynchronous on macOS: a reply must not be cut).
      runFrontend(command, rest).then((code) => process.stdout.write('', () => process.exit(code)), (error: unknown) => fail(error));
    } else if (command === 'demo') {
      demo(rest).catch((error: unknown) => fail(error));
    } else {
      throw new UsageError(`unknown command "${command}" (try: threadline --help)`);
    }
  } catch (error) {
    fail(error);
  }
}

function fail(error: unknown): never {
  const known = error instanceof UsageError || error instanceof HostNotFoundError;
  process.stderr.write(`threadline: ${known ? (error as Error).message : (error as Error).stack ?? String(error)}\n`);
  process.exit(2);
}

main(process.argv.slice(2));
