import * as z from 'zod/mini';
import type { CreateHost, EngineHost } from '../port.js';
import { splitCommand } from './command.js';
import { ExecEngine } from './engine.js';
import { minimalEnvironment, parseVariableNames } from '../minimal-env.js';

const OptionsSchema = z.object({
  command: z.string({ error: 'command is required: --host-option command="python3 my_engine.py"' }).check(z.trim(), z.minLength(1, 'command is empty')),
  loadTimeoutMs: z._default(z.coerce.number().check(z.int(), z.positive()), 10_000),
  /** The longest line an engine may write; past it the turn fails and the engine is killed. */
  maxLineBytes: z._default(z.coerce.number().check(z.int(), z.positive()), 8 * 1024 * 1024),
  /** Variables passed to the engine beyond the minimal environment: `env=NAME1,NAME2`. */
  env: z._default(z.string(), ''),
});

/** Engines in any language: each loaded engine is a child process speaking docs/engine-protocol.md. */
export const createHost: CreateHost = (options, { log }): EngineHost => {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(issue.path[0] === 'command' ? issue.message : `option ${issue.path.join('.')}: ${issue.message}`);
  }
  const argv = splitCommand(parsed.data.command);
  const env = minimalEnvironment(parseVariableNames(parsed.data.env));
  return {
    name: 'exec',
    apiVersion: 1,
    supportsSteer: true,
    loadEngine: (thread, history) =>
      ExecEngine.load(
        // The engine's stderr is its log: it goes to ours, and its tail into any failure message.
        {
          argv,
          env,
          loadTimeoutMs: parsed.data.loadTimeoutMs,
          maxLineBytes: parsed.data.maxLineBytes,
          log: (line) => log.debug(`engine stderr: ${line}`, { threadId: thread.id }),
        },
        thread,
        history,
      ),
  };
};
