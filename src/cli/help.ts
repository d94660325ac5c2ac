import { DEFAULTS } from '../config.js';

export const USAGE = `threadline — durable agent conversations over JSON-RPC on stdio

Usage:
  threadline serve [options]   serve one client on stdin/stdout (what an IDE spawns)
  threadline acp [options]     an ACP v1 agent on stdin/stdout (Zed and other ACP editors; serve's options)
  threadline demo [options]    run a short scripted session against a spawned server and show it
  threadline chat [options]    talk to an agent in the terminal (threadline chat --help)
  threadline inspect [THREAD_ID]  read a database without changing it (threadline inspect --help)
  threadline usage [--by day|model|thread]  tokens and cost per bucket, with a bar chart (--help)
  threadline export THREAD_ID [-o FILE]  a thread as a versioned document
  threadline import FILE  a new thread from a document or a [{role, text}] transcript
  threadline schema [--out DIR]  the protocol's JSON Schema and .d.ts, for integrators
  threadline --help            this text
  threadline --version         the version

Options of serve (demo takes the same):
  --db PATH|URL           a SQLite database file (":memory:" for a throwaway one) or a postgres:// URL
                          (default: $XDG_DATA_HOME/threadline/threadline.db)
  --host NAME|PATH|PACKAGE  engine host: echo, openai, exec, a .js/.mjs module or an npm package
                          exporting createHost (default: ${DEFAULTS.host})
  --host-option KEY=VALUE handed to the host's createHost; repeatable (exec: command="python3 engine.py")
  --model NAME            the host's default model (a thread's or turn's model overrides it)
  --max-loaded-engines N  engines kept loaded, least recently used evicted first (default: ${DEFAULTS.maxLoadedEngines})
  --approval-timeout S    seconds before an unanswered approval is denied (default: ${DEFAULTS.approvalTimeoutSeconds})
  --lease-ttl S           seconds a running turn's lease lasts unless its process renews it (every S/3);
                          then another process on the same database may take the thread over (default: ${DEFAULTS.leaseTtlSeconds})
  --machine-id ID         this server's machine: a pid is judged only by servers with the same id; an owner on
                          another machine is dead only once its lease expires (default: $THREADLINE_MACHINE_ID,
                          else a hash of /etc/machine-id, else of the host name)
  --durability full|normal  full: an acknowledged call survives power loss; normal: a crash (default: ${DEFAULTS.durability})
  --framing lsp|ndjson    Content-Length headers or one JSON message per line (default: ${DEFAULTS.framing})
  --log-level LEVEL       error|warn|info|debug, written to stderr (default: ${DEFAULTS.logLevel})
  --max-message-bytes N   larger incoming messages are rejected with -32600 (default: ${DEFAULTS.maxMessageBytes})
  --max-prompt-bytes N    larger prompts are rejected with -32602 (default: ${DEFAULTS.maxPromptBytes})
  --max-queued N          pending prompts per thread before -32015 (default: ${DEFAULTS.maxQueued})
  --max-item-bytes N      an item's detail is cut past N bytes, marked metadata.truncated (default: ${DEFAULTS.maxItemBytes})
  --read-only             serve only: open an existing database read-only, a file or a postgres:// URL (no
                          migration, recovery or owner row; on Postgres every session is read-only too);
                          methods that write answer -32030 with data.readOnly (threadline inspect uses it)
  --mcp-config FILE       MCP servers as tool sources: { "mcpServers": { name: { command, args, env } | { url, headers } } }

Options of the openai host (OPENAI_API_KEY from the environment; none needed on localhost):
  --openai-base-url URL   any OpenAI-compatible endpoint (default: https://api.openai.com/v1)
  --openai-max-retries N  retries of 429, 5xx and connection errors, with backoff (default: 2)
  --openai-idle-timeout S seconds of silence from the endpoint before the turn fails (default: 60)
  --prices FILE           JSON { "model": { "input", "cachedInput", "output" } } in USD per 1M tokens
  --max-tool-rounds N     tool rounds in one turn before it fails (default: 25)
  --context-window N      the model's context window in tokens, for context.usage (default: OpenAI's
                          published size for known models; otherwise unknown, never guessed)
  --auto-compact-at F     compact a thread before its next prompt once its context reaches F × the
                          window (0 < F ≤ 1; default: off)

Exit codes: 0 after shutdown or when stdin closes; 2 on bad usage or a database/host that cannot be opened.
`;
