import { DEFAULTS } from '../config.js';

export const USAGE = `threadline — durable agent conversations over JSON-RPC on stdio

Usage:
  threadline serve [options]   serve one client on stdin/stdout (what an IDE spawns)
  threadline demo [options]    run a short scripted session against a spawned server and show it
  threadline --help            this text
  threadline --version         the version

Options of serve (demo takes the same):
  --db PATH               SQLite database file; ":memory:" for a throwaway one
                          (default: $XDG_DATA_HOME/threadline/threadline.db)
  --host NAME|PATH        engine host: a built-in name (echo) or a .js/.mjs module (default: ${DEFAULTS.host})
  --durability full|normal  full: an acknowledged call survives power loss; normal: a crash (default: ${DEFAULTS.durability})
  --framing lsp|ndjson    Content-Length headers or one JSON message per line (default: ${DEFAULTS.framing})
  --log-level LEVEL       error|warn|info|debug, written to stderr (default: ${DEFAULTS.logLevel})
  --max-message-bytes N   larger incoming messages are rejected with -32600 (default: ${DEFAULTS.maxMessageBytes})
  --max-prompt-bytes N    larger prompts are rejected with -32602 (default: ${DEFAULTS.maxPromptBytes})
  --max-queued N          pending prompts per thread before -32015 (default: ${DEFAULTS.maxQueued})

Exit codes: 0 after shutdown or when stdin closes; 2 on bad usage or a database/host that cannot be opened.
`;
