import { CHAT_HELP, parseChatArgs, UsageError } from './args.js';

/**
 * Entry of the frontend bundle (dist/chat.cjs), which `threadline` requires only for the
 * commands below: serve and acp never load it. Resolves with the exit code.
 */
export async function runFrontend(command: string, args: string[]): Promise<number> {
  try {
    if (command === 'schema') return (await import('./schema.js')).schema(args);
    // One file per subcommand.
    if (command === 'inspect') return await (await import('./inspect/main.js')).inspectCommand(args);
    if (command === 'usage') return await (await import('./reports/usage.js')).usage(args);
    if (command === 'export') return await (await import('./reports/export.js')).exportThread(args);
    if (command === 'import') return await (await import('./reports/import.js')).importThread(args);
    if (command === 'chat') {
      const options = parseChatArgs(args);
      if (options.help) {
        process.stdout.write(CHAT_HELP);
        return 0;
      }
      if (process.stdin.isTTY && process.stdout.isTTY) {
        // Loaded on use: piped runs skip the terminal code, and the reverse.
        const { ChatApp } = await import('./app.js');
        await new ChatApp(options).start();
        return new Promise<number>(() => {}); // the app exits the process itself
      }
      const { runPiped } = await import('./piped.js');
      return await runPiped(options);
    }
    throw new UsageError(`unknown command "${command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`threadline ${command}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}
