/** Bad usage of a frontend subcommand: one line on stderr, exit 2. */
export class UsageError extends Error {}

export interface ChatOptions {
  threadId?: string;
  newThread: boolean;
  help: boolean;
  /** Everything else, handed to `threadline serve` (which checks it: a bad flag exits 2 there). */
  serveArgs: string[];
}

export const CHAT_HELP = `threadline chat — talk to an agent in the terminal, through a spawned \`threadline serve\`

Usage:
  threadline chat [--db PATH] [--host NAME] [--thread ID | --new] [serve's options]

  --thread ID   continue this thread (default: the most recently active one, or a new one)
  --new         start a new thread (created with your first prompt)
  --help        this text
  Any other option is one of \`threadline serve\`'s (threadline --help lists them).

Keys:
  Enter         send; while a turn runs, queue it (it runs when the turn ends)
  Tab           steer: send the text into the running turn instead of queueing it
  ↑             edit your last prompt and send it again (replaces that turn)
  Ctrl-C        interrupt the running turn (cancels the queue); when idle, twice to exit
  Ctrl-D        exit (on an empty prompt)
  y / n         answer an approval the agent asks for (on an empty prompt)

Commands: /threads, /switch N|ID, /new, /fork [N], /revert [N], /unrevert, /compact, /usage,
/export FILE, /queue, /edit N, /move N M, /cancel N, /help (inside chat, /help says what each does)

When stdin is not a terminal, chat reads one prompt per line, waits for each turn to end and
prints the replies as plain text (tool calls and notices go to stderr); exit 1 if a turn did not
complete. Colour only on a terminal; NO_COLOR turns it off.
`;

export function parseChatArgs(args: string[]): ChatOptions {
  const options: ChatOptions = { newThread: false, help: false, serveArgs: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') options.help = true;
    else if (arg === '--new') options.newThread = true;
    else if (arg === '--thread' || arg.startsWith('--thread=')) {
      const value = arg === '--thread' ? args[++i] : arg.slice('--thread='.length);
      if (!value || value.startsWith('-')) throw new UsageError('--thread needs a thread id (try: threadline chat --help)');
      options.threadId = value;
    } else if (arg.startsWith('-')) options.serveArgs.push(arg);
    else if (options.serveArgs.length > 0 && options.serveArgs.at(-1)!.startsWith('--') && !options.serveArgs.at(-1)!.includes('=')) {
      options.serveArgs.push(arg); // the value of a serve flag
    } else {
      throw new UsageError(`unexpected argument "${arg}" (try: threadline chat --help)`);
    }
  }
  if (options.threadId !== undefined && options.newThread) throw new UsageError('--thread and --new cannot be used together (try: threadline chat --help)');
  // Server log lines would land in the middle of the conversation: errors only, unless asked.
  if (!options.serveArgs.some((a) => a === '--log-level' || a.startsWith('--log-level='))) options.serveArgs.push('--log-level', 'error');
  return options;
}
