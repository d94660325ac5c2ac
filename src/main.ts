import './zod-config.js'; // first: before any schema is built
import { USAGE } from './cli/help.js';
import { UsageError } from './cli/args.js';
import { fail } from './cli/fail.js';
import { serve } from './cli/serve.js';
import { demo } from './cli/demo.js';
import { VERSION } from './version.js';

/**
 * The composition root: argv → subcommand. Start-up failures are one stderr line and exit 2.
 * The frontend's subcommands (chat, schema, inspect, usage, export, import) never reach this
 * bundle: bin/threadline runs them from dist/chat.cjs alone, and `acp` from dist/acp.cjs
 * (src/acp-main.ts).
 */
function main(argv: string[]): void {
  const [command, ...rest] = argv;
  try {
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
    } else if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      process.stdout.write(USAGE);
    } else if (command === 'serve') {
      serve(rest).catch((error: unknown) => fail(error));
    } else if (command === 'demo') {
      demo(rest).catch((error: unknown) => fail(error));
    } else {
      throw new UsageError(`unknown command "${command}" (try: threadline --help)`);
    }
  } catch (error) {
    fail(error);
  }
}

main(process.argv.slice(2));
