import { z } from 'zod';
import type { CreateHost, EngineHost } from '../port.js';
import { splitCommand } from './command.js';
import { ExecEngine } from './engine.js';

const OptionsSchema = z.object({
  command: z.string({ error: 'command is required: --host-option command="python3 my_engine.py"' }).trim().min(1, 'command is empty'),
  loadTimeoutMs: z.coerce.number().int().positive().default(10_000),
});

/** Engines in any language: each loaded engine is a child process speaking docs/engine-protocol.md. */
export const createHost: CreateHost = (options, { log }): EngineHost => {
  const parsed = OptionsSchema.safeParse(options);
  if (!parsed.success) throw new Error(parsed.error.issues[0]!.message);
  const argv = splitCommand(parsed.data.command);
  return {
    name: 'exec',
    apiVersion: 1,
    supportsSteer: true,
    loadEngine: (thread, history) =>
      ExecEngine.load(
        // The engine's stderr is its log: it goes to ours, and its tail into any failure message.
        { argv, loadTimeoutMs: parsed.data.loadTimeoutMs, log: (line) => log.debug(`engine stderr: ${line}`, { threadId: thread.id }) },
        thread,
        history,
      ),
  };
};
